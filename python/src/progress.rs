//! Long calls from Python: Ctrl-C and a progress bar.
//!
//! [`run`] does the work on a worker thread while the calling thread, which holds the
//! GIL between waits, checks for signals every [`TICK`] and draws what the worker
//! reports. On Ctrl-C (any signal whose handler raises) it sets the worker's cancel
//! flag, waits up to [`GRACE`] for it to stop (training and ranking stop at their next
//! step, an evaluation before its next promoter), and raises the handler's exception,
//! `KeyboardInterrupt` for Ctrl-C. A worker that has not stopped by then (a call with
//! no step to stop at) is left to finish in the background and its result is dropped.

use kocrank::auto::Progress;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the calling thread checks for signals and redraws.
const TICK: Duration = Duration::from_millis(100);

/// How long an interrupted call waits for its worker to stop before it raises anyway.
const GRACE: Duration = Duration::from_secs(2);

/// What a worker reports, owned so it can cross threads.
pub enum Event {
    /// `auto` has profiled the data and carved its validation split.
    Start,
    /// A trial of `auto` has finished: its label and NDCG@20.
    Trial(String, f64),
    /// A stage of `auto` begins.
    Stage(String),
    /// An iALS sweep has finished: done, total.
    Sweep(usize, usize),
}

impl Event {
    /// The owned form of a core progress report.
    pub fn of(p: Progress<'_>) -> Event {
        match p {
            Progress::Start { .. } => Event::Start,
            Progress::Trial(t) => Event::Trial(t.label(), t.ndcg),
            Progress::Stage(s) => Event::Stage(s.to_string()),
            Progress::Sweep { done, total } => Event::Sweep(done, total),
        }
    }
}

/// The worker's side: the cancel flag to read and the channel to report on.
pub struct Worker {
    pub cancel: Arc<AtomicBool>,
    events: Sender<Event>,
}

impl Worker {
    /// Reports `e` (dropped when the caller has stopped listening).
    pub fn report(&self, e: Event) {
        let _ = self.events.send(e);
    }
}

/// Runs `work` on a worker thread, passing each of its [`Event`]s to `bar` (when
/// given), and returns its result; raises the pending signal's exception
/// (`KeyboardInterrupt`) as soon as one arrives. See the module docs.
pub fn run<T, W>(py: Python<'_>, mut bar: Option<&mut Bar>, work: W) -> PyResult<kocrank::Result<T>>
where
    T: Send + 'static,
    W: FnOnce(&Worker) -> kocrank::Result<T> + Send + 'static,
{
    let cancel = Arc::new(AtomicBool::new(false));
    let (events, rx) = channel::<Event>();
    let (done_tx, done_rx) = channel::<kocrank::Result<T>>();
    let worker = Worker {
        cancel: Arc::clone(&cancel),
        events,
    };
    std::thread::Builder::new()
        .name("kocrank-call".into())
        .spawn(move || {
            let out = work(&worker);
            drop(worker);
            let _ = done_tx.send(out);
        })
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start a worker thread: {e}")))?;
    let mut rx: Receiver<Event> = rx;
    let mut interrupted: Option<(PyErr, Instant)> = None;
    loop {
        // Wait for the worker with the GIL released; the receiver goes in and comes back.
        let (back, got) = py.detach(move || {
            let got = rx.recv_timeout(TICK);
            (rx, got)
        });
        rx = back;
        match got {
            Ok(e) => {
                if let (Some(bar), None) = (bar.as_deref_mut(), &interrupted) {
                    bar.event(py, e);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            // The worker has dropped its sender: it has finished.
            Err(RecvTimeoutError::Disconnected) => break,
        }
        if let Some(bar) = bar.as_deref_mut() {
            bar.draw(py, false);
        }
        match &interrupted {
            None => {
                if let Err(e) = py.check_signals() {
                    cancel.store(true, Ordering::Relaxed);
                    interrupted = Some((e, Instant::now()));
                }
            }
            Some((_, since)) if since.elapsed() > GRACE => break,
            Some(_) => {}
        }
    }
    if let Some((e, _)) = interrupted {
        if let Some(bar) = bar {
            bar.finish(py, "interrupted");
        }
        return Err(e);
    }
    let out = py
        .detach(move || done_rx.recv())
        .map_err(|_| PyRuntimeError::new_err("the worker thread ended without a result"))?;
    if let Some(bar) = bar {
        bar.finish(py, if out.is_ok() { "done" } else { "failed" });
    }
    Ok(out)
}

/// A tqdm-style progress line on `sys.stderr`, redrawn in place (`\r`) at most every
/// [`REDRAW`], ended with a newline. Where stderr is no terminal or notebook (a log
/// file, a pipe), whole lines are written instead, at most every [`REDRAW_PLAIN`].
pub struct Bar {
    label: String,
    started: Instant,
    /// `auto`'s time budget, for the bar's fill.
    budget: Option<f64>,
    trials: usize,
    best: Option<(f64, String)>,
    stage: Option<String>,
    sweep: Option<(usize, usize)>,
    drawn: Option<Instant>,
    width: usize,
    /// Set when writing failed: the bar stays silent from then on.
    broken: bool,
    /// Whether stderr redraws a line in place (a terminal or a notebook); found at the
    /// first write.
    in_place: Option<bool>,
}

/// The least time between two redraws.
const REDRAW: Duration = Duration::from_millis(250);

/// The least time between two whole lines where stderr cannot redraw in place.
const REDRAW_PLAIN: Duration = Duration::from_secs(10);

impl Bar {
    /// A bar for training `kind` (`auto` with its time budget in seconds).
    pub fn new(label: String, budget: Option<f64>) -> Bar {
        Bar {
            label,
            started: Instant::now(),
            budget,
            trials: 0,
            best: None,
            stage: None,
            sweep: None,
            drawn: None,
            width: 0,
            broken: false,
            in_place: None,
        }
    }

    fn event(&mut self, py: Python<'_>, e: Event) {
        match e {
            Event::Start => self.stage = Some("searching".into()),
            Event::Trial(label, ndcg) => {
                self.trials += 1;
                self.sweep = None;
                let better = match &self.best {
                    Some((b, _)) => ndcg > *b,
                    None => true,
                };
                if better {
                    self.best = Some((ndcg, label));
                }
            }
            Event::Stage(s) => {
                self.stage = Some(s);
                self.sweep = None;
            }
            Event::Sweep(done, total) => self.sweep = Some((done, total)),
        }
        self.draw(py, false);
    }

    /// The fraction done, when there is a measure of it.
    fn fraction(&self, elapsed: f64) -> Option<f64> {
        match (self.budget, self.sweep) {
            (Some(b), _) if b > 0.0 => Some((elapsed / b).min(0.99)),
            (None, Some((done, total))) if total > 0 => Some(done as f64 / total as f64),
            _ => None,
        }
    }

    /// The text of the line.
    fn line(&self, end: Option<&str>) -> String {
        let elapsed = self.started.elapsed().as_secs_f64();
        let mut s = format!("{}: ", self.label);
        let fraction = if end == Some("done") {
            Some(1.0)
        } else {
            self.fraction(elapsed)
        };
        if let Some(f) = fraction {
            let cells = 10.0 * f;
            let full = cells.floor() as usize;
            let mut bar = "█".repeat(full.min(10));
            if full < 10 {
                let eighths = ((cells - full as f64) * 8.0).floor() as usize;
                bar.push_str(["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][eighths.min(7)]);
            }
            let pad = 10usize.saturating_sub(bar.chars().count());
            s.push_str(&format!("{:>3.0}%|{bar}{}| ", 100.0 * f, " ".repeat(pad)));
        }
        match self.budget {
            Some(b) => s.push_str(&format!("{elapsed:.1}/{b:.0} s")),
            None => s.push_str(&format!("{elapsed:.1} s")),
        }
        if self.budget.is_some() {
            s.push_str(&format!(", {} trials", self.trials));
        }
        if let Some((ndcg, label)) = &self.best {
            s.push_str(&format!(", best NDCG@20 {ndcg:.4} ({label})"));
        }
        if let Some((done, total)) = self.sweep {
            s.push_str(&format!(", iALS sweep {done}/{total}"));
        }
        match (end, &self.stage) {
            (Some(end), _) => s.push_str(&format!(" [{end}]")),
            (None, Some(stage)) => s.push_str(&format!(" [{stage}]")),
            (None, None) => {}
        }
        s
    }

    /// Redraws the line (at most every [`REDRAW`] unless `force`).
    fn draw(&mut self, py: Python<'_>, force: bool) {
        let every = if self.in_place(py) {
            REDRAW
        } else {
            REDRAW_PLAIN
        };
        if !force && self.drawn.is_some_and(|t| t.elapsed() < every) {
            return;
        }
        let line = self.line(None);
        self.write(py, &line, false);
    }

    /// Draws the last line, ending in `end` and a newline.
    pub fn finish(&mut self, py: Python<'_>, end: &str) {
        let line = self.line(Some(end));
        self.write(py, &line, true);
    }

    /// Whether `sys.stderr` is a terminal (`isatty()`) or a notebook's stream, which
    /// both redraw a line after `\r`.
    fn in_place(&mut self, py: Python<'_>) -> bool {
        *self.in_place.get_or_insert_with(|| {
            let Ok(err) = py.import("sys").and_then(|sys| sys.getattr("stderr")) else {
                return false;
            };
            let tty = err
                .call_method0("isatty")
                .and_then(|t| t.is_truthy())
                .unwrap_or(false);
            let notebook = err
                .get_type()
                .module()
                .is_ok_and(|m| m.to_string().starts_with("ipykernel"));
            tty || notebook
        })
    }

    fn write(&mut self, py: Python<'_>, line: &str, last: bool) {
        if self.broken {
            return;
        }
        let text = if self.in_place(py) {
            let n = line.chars().count();
            let pad = " ".repeat(self.width.saturating_sub(n));
            self.width = n;
            format!("\r{line}{pad}{}", if last { "\n" } else { "" })
        } else {
            format!("{line}\n")
        };
        let wrote = py.import("sys").and_then(|sys| {
            let err = sys.getattr("stderr")?;
            if err.is_none() {
                return Ok(());
            }
            err.call_method1("write", (text,))?;
            err.call_method0("flush").map(|_| ())
        });
        // A progress line that cannot be written is no reason to fail the call.
        self.broken = wrote.is_err();
        self.drawn = Some(Instant::now());
    }
}
