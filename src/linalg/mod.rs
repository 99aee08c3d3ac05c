//! Small dense kernels on contiguous row-major `f32` slices: dot products, `axpy`,
//! Gram matrices, Cholesky solves and conjugate-gradient steps.
//!
//! These kernels know nothing of promoters or items. A matrix is a slice of `rows × cols`
//! values in row-major order together with its column count. Inner loops run over
//! `&[f32]` with several independent accumulators so the compiler can vectorise them;
//! nothing here allocates except where the signature returns a fresh `Vec`.

mod cholesky;
mod gram;
mod scan;
mod vector;

pub use cholesky::{cholesky_factor, cholesky_solve};
pub use gram::gram;
pub use scan::{scan_top, PackedItems, PANEL};
pub use vector::{axpy, dot, dot_rows, scale_add, symv};
