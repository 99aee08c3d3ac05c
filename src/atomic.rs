//! Atomic file writes: a temporary file in the target's directory, written, flushed to
//! disk, then renamed over the target, and the directory synced so the rename itself
//! survives a crash. A reader sees the old file or the new one, never half of one; a
//! crash leaves at most a stray `.<name>.tmp-<pid>` file, never a partial target.
//!
//! Every file kocrank writes goes through here: the model file, part files and their
//! manifest, datasets, ranked lists and reports.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

type Shared = Arc<Mutex<BufWriter<File>>>;

fn lock(file: &Shared) -> std::io::Result<MutexGuard<'_, BufWriter<File>>> {
    file.lock()
        .map_err(|_| std::io::Error::other("output file lock poisoned"))
}

/// Writes `path` atomically with `write`, which gets a buffered writer.
///
/// # Errors
/// [`Error::Io`] naming `path` when the directory is missing or not writable, or when
/// `write` fails; the temporary file is removed then.
///
/// # Examples
/// ```
/// use std::io::Write;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("notes.txt");
/// kocrank::io::write_atomic(&path, |w| {
///     w.write_all(b"hello").map_err(|e| kocrank::Error::io(&path, e))
/// })
/// .unwrap();
/// assert_eq!(std::fs::read(&path).unwrap(), b"hello");
/// ```
pub fn write_atomic<F>(path: &Path, write: F) -> Result<()>
where
    F: FnOnce(&mut BufWriter<File>) -> Result<()>,
{
    let file = AtomicFile::create(path)?;
    {
        let mut w = lock(&file.file).map_err(|e| Error::io(path, e))?;
        write(&mut w)?;
    }
    file.commit()
}

/// A file being written under a temporary name, renamed into place by
/// [`AtomicFile::commit`]. Dropped without a commit, it removes the temporary file.
#[derive(Debug)]
pub(crate) struct AtomicFile {
    file: Shared,
    tmp: PathBuf,
    dest: PathBuf,
    committed: bool,
}

/// A buffered handle on an [`AtomicFile`] that writers can own.
#[cfg(feature = "io")]
#[derive(Debug, Clone)]
pub(crate) struct SharedFile(Shared);

#[cfg(feature = "io")]
impl Write for SharedFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        lock(&self.0)?.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        lock(&self.0)?.write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        lock(&self.0)?.flush()
    }
}

impl AtomicFile {
    /// Creates the temporary file `.<name>.tmp-<pid>` beside `dest`.
    ///
    /// # Errors
    /// [`Error::Io`] naming `dest` (the path the caller gave, not the temporary name)
    /// when the temporary file cannot be created, e.g. its directory is missing.
    pub(crate) fn create(dest: &Path) -> Result<AtomicFile> {
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| {
                Error::io(
                    dest,
                    std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file path"),
                )
            })?;
        let tmp = dest.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)
            .map_err(|e| Error::io(dest, e))?;
        let file = Arc::new(Mutex::new(BufWriter::with_capacity(1 << 20, file)));
        Ok(AtomicFile {
            file,
            tmp,
            dest: dest.to_path_buf(),
            committed: false,
        })
    }

    /// A writer on the temporary file.
    #[cfg(feature = "io")]
    pub(crate) fn writer(&self) -> SharedFile {
        SharedFile(Arc::clone(&self.file))
    }

    /// The final path.
    #[cfg(feature = "io")]
    pub(crate) fn dest(&self) -> &Path {
        &self.dest
    }

    /// Flushes the file to disk, renames it to its final path and syncs the directory.
    ///
    /// # Errors
    /// [`Error::Io`] naming the final path when the sync or the rename fails.
    pub(crate) fn commit(mut self) -> Result<()> {
        let sync = |f: &Shared| -> std::io::Result<()> {
            let mut w = lock(f)?;
            w.flush()?;
            w.get_ref().sync_all()
        };
        sync(&self.file).map_err(|e| Error::io(&self.dest, e))?;
        std::fs::rename(&self.tmp, &self.dest).map_err(|e| Error::io(&self.dest, e))?;
        self.committed = true;
        // Make the rename durable where the platform allows syncing a directory.
        if let Some(dir) = self.dest.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_write_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.bin");
        write_atomic(&p, |w| w.write_all(b"old").map_err(|e| Error::io("x", e))).unwrap();
        let r = write_atomic(&p, |_| Err(Error::Empty("boom".into())));
        assert!(r.is_err());
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let e = write_atomic(&dir.path().join("no/such/dir.bin"), |_| Ok(())).unwrap_err();
        assert!(e.to_string().contains("dir.bin"));
    }

    #[cfg(feature = "io")]
    #[test]
    fn uncommitted_file_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("x.csv");
        let f = AtomicFile::create(&dest).unwrap();
        f.writer().write_all(b"abc").unwrap();
        drop(f);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let f = AtomicFile::create(&dest).unwrap();
        f.writer().write_all(b"abc").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"abc");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn missing_directory_names_the_path_given() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("no-such-dir").join("x.csv");
        let e = AtomicFile::create(&dest).unwrap_err();
        match &e {
            Error::Io { path, .. } => assert_eq!(path, &dest, "{e}"),
            other => panic!("expected an Io error, got {other}"),
        }
        assert!(
            e.to_string().starts_with(&format!("{}: ", dest.display())),
            "{e}"
        );
    }
}
