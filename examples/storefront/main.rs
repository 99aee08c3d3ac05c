//! Storefront: an HTTP JSON service that ranks items for promoters from a model file,
//! takes live item changes (stock, price, commission) and hot-swaps a retrained model,
//! all without a pause for the requests in flight.
//!
//! With no `--model` it trains the demo model first (the `small` synthetic world, seed 1,
//! the blend, as `kocrank demo` does), saves it to the system's temporary folder and
//! serves that, so one command starts it:
//!
//! ```sh
//! cargo run --release --example storefront
//! ```
//!
//! With a model of your own:
//!
//! ```sh
//! cargo run --release -- generate --scale small --out world
//! cargo run --release -- train --data world --model profile --out profile.kocrank
//! cargo run --release --example storefront -- --model profile.kocrank --addr 127.0.0.1:8080
//! curl 'http://127.0.0.1:8080/v1/promoters/P000001/recommendations?k=5'
//! ```
//!
//! The walkthrough is in four files:
//! - `main.rs` (this one): flags, the model loaded once, the worker pools, the server;
//! - `nightly.rs`: the batch job's candidate lists (`--candidates`), re-ranked online;
//! - `api.rs`: the routes, one handler per endpoint, and how errors become responses;
//! - `tests.rs`: every endpoint and every class of error, through the router in memory
//!   (`cargo test --example storefront`).
//!
//! The library does the work (`kocrank::rank::SharedRanker` for the current snapshot,
//! `Ranker::rank` for a list, `Ranker::with_item_updates` for live changes,
//! `kocrank::model_file::load` for a reload); this service only parses, calls and
//! formats.

mod api;
mod nightly;
#[cfg(test)]
mod tests;

use api::App;
use kocrank::rank::SharedRanker;
use kocrank::{model_file, Ranker};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

const USAGE: &str = "\
usage: storefront [--model PATH] [--candidates DIR] [--addr 127.0.0.1:8080] [--threads N]

  --model PATH    model file written by `kocrank train` (default: train the demo model,
                  the blend on the small synthetic world, seed 1, and save it to the
                  temporary folder)
  --candidates DIR  nightly lists to re-rank instead of the whole catalogue: the CSV parts
                  of `kocrank rank --model PATH --all --k 200 --format csv --out DIR`
  --addr ADDR     address to listen on (default 127.0.0.1:8080)
  --threads N     ranking threads, and as many request threads (default: all cores)";

/// The command line, checked.
struct Flags {
    model: Option<PathBuf>,
    candidates: Option<PathBuf>,
    addr: SocketAddr,
    threads: usize,
}

/// Step 1: read the flags. Three of them do not need a parser crate.
fn parse_flags(mut args: impl Iterator<Item = String>) -> Result<Flags, String> {
    let mut model = None;
    let mut candidates = None;
    let mut addr: SocketAddr = ([127, 0, 0, 1], 8080).into();
    let mut threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--model" => model = Some(PathBuf::from(value()?)),
            "--candidates" => candidates = Some(PathBuf::from(value()?)),
            "--addr" => {
                let v = value()?;
                addr = v
                    .parse()
                    .map_err(|e| format!("--addr {v}: {e} (expected e.g. 127.0.0.1:8080)"))?;
            }
            "--threads" => {
                let v = value()?;
                threads = v
                    .parse()
                    .ok()
                    .filter(|&n| n >= 1)
                    .ok_or_else(|| format!("--threads {v}: expected a whole number ≥ 1"))?;
            }
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument \"{other}\"\n{USAGE}")),
        }
    }
    Ok(Flags {
        model,
        candidates,
        addr,
        threads,
    })
}

fn main() -> ExitCode {
    let flags = match parse_flags(std::env::args().skip(1)) {
        Ok(f) => f,
        Err(message) => {
            eprintln!("storefront: {message}");
            return ExitCode::from(2);
        }
    };
    match run(flags) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("storefront: {message}");
            ExitCode::from(2)
        }
    }
}

/// With no `--model`: the demo model, trained here and saved where a reload finds it.
fn demo_model() -> Result<PathBuf, String> {
    let path = std::env::temp_dir().join("kocrank-storefront-demo.kocrank");
    eprintln!(
        "storefront: no --model; training the demo model (small synthetic world, seed 1, blend)…"
    );
    let t = std::time::Instant::now();
    let world =
        kocrank::synth::generate(kocrank::synth::Scale::Small, 1).map_err(|e| e.to_string())?;
    let config = kocrank::Config {
        model: kocrank::ModelKind::Blend,
        ..kocrank::Config::default()
    };
    let model = kocrank::train(&world.dataset, &config).map_err(|e| e.to_string())?;
    model_file::save(&model, &path).map_err(|e| e.to_string())?;
    eprintln!(
        "storefront: trained in {:.1} s and saved to {} (POST /v1/admin/reload reads it again)",
        t.elapsed().as_secs_f64(),
        path.display()
    );
    Ok(path)
}

fn run(flags: Flags) -> Result<(), String> {
    // Step 2: load the model once, before accepting connections. A model file that is
    // missing or damaged stops the service here, with the library's message (which
    // names the file and what is wrong with it).
    let model_path = match flags.model {
        Some(path) => path,
        None => demo_model()?,
    };
    let model = model_file::load(&model_path).map_err(|e| e.to_string())?;
    let (items, promoters) = (model.catalog().len(), model.promoters().len());
    // `SharedRanker` holds the current snapshot; requests `load()` it, writers publish
    // a new one. It starts at generation 0.
    let shared = SharedRanker::new(Ranker::new(model));

    // Step 3: ranking is CPU work, so it runs on its own pool of `threads` workers, not
    // on the async threads that read and write sockets; a burst of requests queues
    // there instead of starting hundreds of threads on a few cores.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(flags.threads)
        .thread_name(|i| format!("rank-{i}"))
        // A panic in a ranking job must not abort the service: the job's request gets
        // a 500 (its reply channel is dropped) and the worker lives on.
        .panic_handler(|_| eprintln!("storefront: a ranking job panicked"))
        .build()
        .map_err(|e| format!("cannot start {} ranking threads: {e}", flags.threads))?;
    let mut app = App::new(shared, model_path.clone(), pool);
    if let Some(dir) = &flags.candidates {
        let lists = nightly::Nightly::load(dir)?;
        eprintln!(
            "storefront: nightly candidate lists for {} promoters from {}",
            lists.len(),
            dir.display()
        );
        app = app.with_nightly(lists);
    }
    let app = Arc::new(app);

    // Step 4: the async runtime for the sockets, with as many threads.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(flags.threads)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(flags.addr)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", flags.addr))?;
        eprintln!(
            "storefront: {items} items, {promoters} promoters from {}; listening on http://{} with {} threads",
            model_path.display(),
            flags.addr,
            flags.threads
        );
        // Step 5: serve until Ctrl-C or SIGTERM, then let requests in flight finish.
        axum::serve(listener, api::router(app))
            .with_graceful_shutdown(shutdown_signal())
            .await
            .map_err(|e| format!("server error: {e}"))?;
        eprintln!("storefront: stopped");
        Ok(())
    })
}

/// Resolves on Ctrl-C or (on Unix) SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        // If the handler cannot be installed, only SIGTERM stops the service.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
