//! Typed dense indices: an item's place in a model's catalogue, a promoter's in its
//! promoter table.
//!
//! Inside, the columns and kernels hold plain `u32`s. Where an index crosses the
//! public API ([`Ranked::item`](crate::Ranked::item),
//! [`Ranker::rank_index`](crate::Ranker::rank_index)), it is one of these, so an item's
//! index cannot be passed where a promoter's is expected.
//!
//! ```
//! use kocrank::data::{ItemIdx, PromoterIdx};
//!
//! let p = PromoterIdx::new(3);
//! assert_eq!(p.get(), 3);
//! assert_eq!(p.index(), 3usize);
//! // Serialised as the bare number.
//! assert_eq!(serde_json::to_string(&ItemIdx::new(7)).unwrap(), "7");
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! dense_index {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        #[repr(transparent)]
        pub struct $name(u32);

        impl $name {
            /// The index `ix`.
            pub const fn new(ix: u32) -> Self {
                Self(ix)
            }

            /// The index as stored.
            pub const fn get(self) -> u32 {
                self.0
            }

            /// The index as a position in a slice.
            pub const fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

dense_index!(
    /// An item's dense index in a model's catalogue (`0..catalog.len()`).
    ItemIdx
);
dense_index!(
    /// A promoter's dense index in a model's promoter table (`0..promoters.len()`).
    PromoterIdx
);
