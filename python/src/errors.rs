//! kocrank errors as Python exceptions.
//!
//! Every `kocrank::Error` becomes an instance of a class of `kocrank.exceptions`, all
//! under `KocrankError`, which also subclass `ValueError` (bad data, configuration or
//! request) or `OSError` (files; `FileNotFoundError` for a missing one), with the Rust
//! message unchanged.

use kocrank::Error;
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;

/// The `kocrank.exceptions` class for `e`, and whether it is a file error.
fn class_of(e: &Error) -> (&'static str, bool) {
    match e {
        Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            ("KocrankFileNotFoundError", true)
        }
        Error::Io { .. } => ("KocrankIOError", true),
        Error::IncompatibleModel { .. } => ("IncompatibleModelError", true),
        Error::CorruptModel { .. } => ("CorruptModelError", true),
        Error::InvalidData { .. }
        | Error::RaggedRow { .. }
        | Error::MissingColumn { .. }
        | Error::Format { .. } => ("InvalidDataError", false),
        Error::Config(_) => ("ConfigError", false),
        Error::InvalidRequest { .. } => ("InvalidRequestError", false),
        Error::UnknownId { .. } => ("UnknownIdError", false),
        Error::Empty(_) => ("EmptyDataError", false),
        _ => ("UnsupportedError", false),
    }
}

/// The Python exception for `e`. A file error also carries the usual `OSError`
/// attributes: `filename` (the path) and, for a missing file, `errno` (`ENOENT`).
pub fn to_py(e: Error) -> PyErr {
    let (class, is_file) = class_of(&e);
    let message = e.to_string();
    let (path, errno) = match &e {
        Error::Io { path, source } => (Some(path.display().to_string()), source.raw_os_error()),
        _ => (None, None),
    };
    Python::attach(|py| {
        let made = py
            .import("kocrank.exceptions")
            .and_then(|m| m.getattr(class))
            .and_then(|cls| cls.call1((message.clone(),)));
        match made {
            Ok(value) => {
                if let Some(path) = path {
                    let _ = value.setattr("filename", path);
                    if let Some(errno) = errno {
                        let _ = value.setattr("errno", errno);
                    }
                }
                PyErr::from_value(value)
            }
            // The pure-Python part is missing (the extension imported on its own).
            Err(_) if is_file => PyOSError::new_err(message),
            Err(_) => PyValueError::new_err(message),
        }
    })
}

/// A `ValueError` of class `class` (of `kocrank.exceptions`) with `message`, for
/// argument errors found on the Python side of the boundary.
pub fn value_error(class: &str, message: String) -> PyErr {
    Python::attach(|py| {
        let made = py
            .import("kocrank.exceptions")
            .and_then(|m| m.getattr(class))
            .and_then(|cls| cls.call1((message.clone(),)));
        match made {
            Ok(value) => PyErr::from_value(value),
            Err(_) => PyValueError::new_err(message),
        }
    })
}

/// `Result<T, kocrank::Error>` into `PyResult<T>`.
pub trait IntoPy<T> {
    /// Converts the error, if any.
    fn py_err(self) -> PyResult<T>;
}

impl<T> IntoPy<T> for kocrank::Result<T> {
    fn py_err(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}
