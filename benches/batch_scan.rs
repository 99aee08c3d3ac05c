//! The batch scoring kernel's floating-point rate against this machine's measured
//! single-precision peaks, printed side by side:
//!
//! * `fma ceiling`: a loop of independent fused multiply-adds held in registers, the
//!   most any f32 kernel can reach on these cores;
//! * `sgemm`: a square matrix product by `matrixmultiply` (the packed-panel kernel
//!   ndarray uses), the matrix-multiply peak a library reaches here;
//! * `scan`: [`kocrank::linalg::scan_top`], promoters' factors × 100k items with the
//!   top-116 per promoter kept as it goes (k = 100 plus the margin), 64 factors.
//!
//! ```sh
//! cargo bench --bench batch_scan            # ITEMS=1000000 ROWS=960 to change sizes
//! ```
//! Each figure is the median of several runs. Two threads split the rows with rayon as
//! `kocrank rank --all` does.

use kocrank::linalg::{scan_top, PackedItems};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::hint::black_box;
use std::time::Instant;

const FACTORS: usize = 64;
const M: usize = 116;
const RUNS: usize = 5;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn random(n: usize, seed: u64) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| rng.random_range(-0.3f32..0.3)).collect()
}

/// Median seconds of `RUNS` calls of `f` (after one warm-up).
fn median_secs(mut f: impl FnMut()) -> f64 {
    f();
    let mut t: Vec<f64> = (0..RUNS)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[RUNS / 2]
}

/// Floating-point operations per second of a register-only FMA loop on one thread.
fn fma_ceiling(iters: u64) -> f64 {
    let mut acc = [1.0f32; 8 * 12];
    let s = Instant::now();
    fma_loop(&mut acc, iters);
    let secs = s.elapsed().as_secs_f64();
    black_box(acc);
    (iters as f64) * (8.0 * 12.0 * 2.0) / secs
}

fn fma_loop(acc: &mut [f32; 96], iters: u64) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has AVX2 and FMA, checked just above.
            unsafe { fma_loop_avx2(acc, iters) };
            return;
        }
    }
    let (a, b) = (0.999_f32, 1e-7_f32);
    for _ in 0..iters {
        for x in acc.iter_mut() {
            *x = x.mul_add(a, b);
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn fma_loop_avx2(acc: &mut [f32; 96], iters: u64) {
    use std::arch::x86_64::*;
    let mut r = [_mm256_setzero_ps(); 12];
    for (j, v) in r.iter_mut().enumerate() {
        *v = _mm256_loadu_ps(acc.as_ptr().add(8 * j));
    }
    let a = _mm256_set1_ps(0.999);
    let b = _mm256_set1_ps(1e-7);
    for _ in 0..iters {
        for v in r.iter_mut() {
            *v = _mm256_fmadd_ps(*v, a, b);
        }
    }
    for (j, v) in r.iter().enumerate() {
        _mm256_storeu_ps(acc.as_mut_ptr().add(8 * j), *v);
    }
}

fn sgemm_rate(n: usize) -> f64 {
    let a = random(n * n, 1);
    let b = random(n * n, 2);
    let mut c = vec![0f32; n * n];
    let secs = median_secs(|| unsafe {
        // SAFETY: a, b, c are n × n row-major and do not overlap.
        matrixmultiply::sgemm(
            n,
            n,
            n,
            1.0,
            a.as_ptr(),
            n as isize,
            1,
            b.as_ptr(),
            n as isize,
            1,
            0.0,
            c.as_mut_ptr(),
            n as isize,
            1,
        );
    });
    black_box(&c);
    2.0 * (n as f64).powi(3) / secs
}

fn main() {
    // `cargo bench` passes `--bench`; under `cargo test --all-targets` this runs once on
    // small sizes, as a smoke test.
    let full = std::env::args().any(|a| a == "--bench");
    let items = if full { env("ITEMS", 100_000) } else { 2_000 };
    let rows = if full { env("ROWS", 960) } else { 24 };
    let fma_iters = if full { 200_000_000 } else { 100_000 };
    let threads = rayon::current_num_threads();
    println!("batch scan kernel: {rows} rows × {items} items × {FACTORS} factors, keep {M} per row; {threads} rayon threads");

    let fma1 = fma_ceiling(fma_iters);
    let fma_n: f64 = (0..threads)
        .into_par_iter()
        .map(|_| fma_ceiling(fma_iters))
        .sum();
    let gemm_n = if full { 1024 } else { 64 };
    let gemm = sgemm_rate(gemm_n);

    let y = random(items * FACTORS, 3);
    let x = random(rows * FACTORS, 4);
    let packed = PackedItems::new(&y, FACTORS, &vec![0.0; items]);
    let flops = 2.0 * (rows * items * FACTORS) as f64;
    let one = median_secs(|| {
        black_box(scan_top(&x, &packed, M, |_, _| false));
    });
    // 96 promoters per task, as `batch::rank_many`.
    let chunk = 96 * FACTORS;
    let many = median_secs(|| {
        let out: Vec<_> = x
            .par_chunks(chunk)
            .map(|c| scan_top(c, &packed, M, |_, _| false))
            .collect();
        black_box(out);
    });

    let g = |r: f64| r / 1e9;
    println!();
    println!("| measure | threads | GFLOP/s | scan / this |");
    println!("|---|---|---|---|");
    println!(
        "| fma ceiling | 1 | {:.1} | {:.0}% |",
        g(fma1),
        100.0 * flops / one / fma1
    );
    println!(
        "| fma ceiling | {threads} | {:.1} | {:.0}% |",
        g(fma_n),
        100.0 * flops / many / fma_n
    );
    println!(
        "| sgemm {gemm_n}³ (matrixmultiply) | 1 | {:.1} | {:.0}% |",
        g(gemm),
        100.0 * flops / one / gemm
    );
    println!("| scan | 1 | {:.1} | |", g(flops / one));
    println!("| scan | {threads} | {:.1} | |", g(flops / many));
    println!();
    println!(
        "scan: {:.1} ms per {rows} promoters on 1 thread ({:.0} promoters/s), {:.1} ms on {threads}",
        one * 1e3,
        rows as f64 / one,
        many * 1e3
    );
}
