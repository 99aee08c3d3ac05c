//! Python bindings of kocrank: the `kocrank._kocrank` extension module.
//!
//! Thin by design: each function converts its arguments, calls one kocrank function
//! with the GIL released (rayon does the parallel work), and converts the result.
//! Frames come in over the Arrow C stream interface and go out as polars (or pyarrow)
//! frames; errors become `kocrank.exceptions` classes with the Rust message.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::todo,
    clippy::unimplemented
)]

mod codec;
mod convert;
mod dataset;
mod errors;
mod frames;
mod inspect;
mod model;
mod progress;
mod replay;

use pyo3::prelude::*;

#[pymodule]
fn _kocrank(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<dataset::PyDataset>()?;
    m.add_class::<model::PyModel>()?;
    m.add_function(wrap_pyfunction!(dataset::generate, m)?)?;
    m.add_function(wrap_pyfunction!(model::train, m)?)?;
    m.add_function(wrap_pyfunction!(model::evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(replay::replay, m)?)?;
    m.add_function(wrap_pyfunction!(inspect::_model_from_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(dataset::_dataset_from_bytes, m)?)?;
    Ok(())
}
