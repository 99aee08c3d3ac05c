//! The synthetic promoter economy (being written).
use crate::data::Dataset;
use crate::error::{Error, Result};

/// Size of a generated world.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// For tests.
    Tiny,
    /// ~5k promoters.
    Small,
    /// ~400k promoters.
    Large,
}

/// A generated world.
#[derive(Debug, Clone)]
pub struct World {
    /// The data.
    pub dataset: Dataset,
}

impl World {
    /// A split time leaving the last 30 days for testing.
    pub fn suggested_split(&self) -> i64 {
        self.dataset
            .orders
            .time_range()
            .map_or(0, |(_, b)| b - 30 * 86_400)
    }
}

/// Generates a world.
pub fn generate(_scale: Scale, _seed: u64) -> Result<World> {
    Err(Error::Unsupported("synth not yet written".into()))
}
