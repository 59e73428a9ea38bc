//! Delivers one POST per delivery over keep-alive connections, CONNECTIONS at
//! a time, and prints one `RESULT` line: deliveries, wall seconds, deliveries
//! per second, latency percentiles, errors (any answer but 200).
//!
//! `kabinet-load URL BODY_TEMPLATE` reads ids from `IDS_FILE` (one a line) and
//! delivers each `REPEAT` times (all once, then all again, …), with `{id}` in
//! the template replaced by the id. Written in Rust rather than Python so that
//! the load generator takes as little as possible of the cores it shares with
//! the gateway and the database.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn usage() -> ! {
    eprintln!("usage: IDS_FILE=ids [CONNECTIONS=32] [REPEAT=2] kabinet-load URL BODY_TEMPLATE");
    std::process::exit(2)
}

fn env_number(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(value) => value.parse().unwrap_or_else(|_| usage()),
        Err(_) => default,
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(template)) = (args.next(), args.next()) else {
        usage()
    };
    let ids_file = std::env::var("IDS_FILE").unwrap_or_else(|_| usage());
    let connections = env_number("CONNECTIONS", 32).max(1);
    let repeat = env_number("REPEAT", 2).max(1);
    let ids: Vec<String> = std::fs::read_to_string(&ids_file)
        .unwrap_or_else(|err| {
            eprintln!("{ids_file}: {err}");
            std::process::exit(2)
        })
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect();
    let bodies: Arc<Vec<String>> = Arc::new(
        (0..repeat)
            .flat_map(|_| ids.iter().map(|id| template.replace("{id}", id)))
            .collect(),
    );
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTP client");
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let (client, url, bodies, next) =
                (client.clone(), url.clone(), bodies.clone(), next.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0usize;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(body) = bodies.get(i) else { break };
                    let sent = Instant::now();
                    let ok = match client
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .await
                    {
                        Ok(response) => {
                            let status = response.status();
                            response.bytes().await.is_ok() && status == 200
                        }
                        Err(_) => false,
                    };
                    latencies.push(sent.elapsed());
                    errors += usize::from(!ok);
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(bodies.len());
    let mut errors = 0;
    for worker in workers {
        let (mine, failed) = worker.await.expect("a worker");
        latencies.extend(mine);
        errors += failed;
    }
    let wall = started.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "RESULT deliveries={} seconds={:.2} deliveries_per_s={:.0} p50_ms={:.2} p99_ms={:.2} errors={}",
        latencies.len(),
        wall,
        latencies.len() as f64 / wall,
        at(0.50),
        at(0.99),
        errors
    );
}
