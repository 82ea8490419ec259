//! `cargo xtask bench`: the figures BENCHMARKS.md records.
//!
//! `cargo xtask bench [size] [first] [offline] [desk] [watch] [latency]
//! [loss] [rtc] [throughput] [under-load] [cuts] [server] [load]` runs the named
//! parts only; with no names, all of them.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};

use crate::{build, output_of, root, run, tools};

const PARTS: [&str; 13] = [
    "size",
    "first",
    "offline",
    "desk",
    "watch",
    "latency",
    "loss",
    "rtc",
    "throughput",
    "under-load",
    "cuts",
    "server",
    "load",
];

pub fn run_all(args: &[&str]) -> anyhow::Result<()> {
    if let Some(unknown) = args.iter().find(|a| !PARTS.contains(a)) {
        bail!("unknown benchmark {unknown:?}; choose from {PARTS:?}");
    }
    let wanted = |part: &str| args.is_empty() || args.contains(&part);
    tools::setup(tools::Need::Benchmarks)?;
    build::app()?;
    build::server()?;
    if wanted("size") {
        bundle_sizes()?;
    }
    if wanted("first") {
        println!("\ntime from navigation to the first result (headless Chromium, loopback):");
        node("bench/first-result.mjs")?;
    }
    if wanted("offline") {
        println!(
            "\nopened from this computer's copy (offline, server stopped) and a repeat visit online, beside a first visit (headless Chromium, loopback):"
        );
        node("bench/offline.mjs")?;
    }
    if wanted("desk") {
        println!("\ndesk view reading a paste (headless Chromium):");
        node("bench/desk-paste.mjs")?;
    }
    if wanted("watch") {
        println!(
            "\nthe watch in a hidden tab for 12 minutes (schedule, CPU, bytes a cycle, storage of 8 hours):"
        );
        node("bench/watch-hidden.mjs")?;
    }
    if wanted("latency") {
        println!("\nlatency truth (delaying proxy on loopback):");
        node("bench/latency.mjs")?;
    }
    if wanted("loss") {
        println!(
            "\nloss truth (nftables dropping the loss check's UDP one way, in a network namespace; as root):"
        );
        node("bench/loss-truth.mjs")?;
    }
    if wanted("rtc") {
        println!(
            "\nthe loss check's peer under many sessions at 50 messages a second (str0m clients on loopback):"
        );
        rtc_sessions()?;
    }
    if wanted("throughput") {
        for rate in [10, 100] {
            println!("\nthroughput truth on a {rate} Mbit/s tbf-shaped link (network namespace):");
            shaped_throughput(rate)?;
        }
    }
    if wanted("under-load") {
        println!(
            "\nround trips under load on lines of 3 and 10 Mbit/s, a deep buffer beside a well-kept one (TCP relays on loopback):"
        );
        node("bench/under-load.mjs")?;
    }
    if wanted("cuts") {
        println!(
            "\nan HTTPS supplier closing connections unanswered, with and without CORS and timing headers (loopback):"
        );
        node("bench/closing-host.mjs")?;
    }
    if wanted("load") {
        crate::tools::setup(crate::tools::Need::Build)?;
        build::app()?;
        build::server()?;
        load_test()?;
    }
    if wanted("server") {
        println!(
            "\nrequests per second on GET /api/ping (wrk, loopback), beside nginx answering 204:"
        );
        server_requests_per_second()?;
    }
    Ok(())
}

fn node(script: &str) -> anyhow::Result<()> {
    run(build::lab_env(
        Command::new("node").arg(script).current_dir(root()),
    ))
}

/// What each page's first load transfers: every file Trunk wrote for it, raw
/// and compressed.
fn bundle_sizes() -> anyhow::Result<()> {
    println!("\nfirst page load (bytes): raw, gzip -9, brotli 11");
    page_sizes(build::dist_files()?)?;
    for bundle in build::AFTER_THE_VERDICT {
        println!(
            "\nthe bundle {bundle}, fetched once a verdict is shown (bytes): raw, gzip -9, brotli 11"
        );
        page_sizes(build::bundle_files(bundle)?)?;
    }
    println!("\ndesk view page, /desk/ (bytes): raw, gzip -9, brotli 11");
    page_sizes(build::desk_files()?)?;
    println!("\nthe watch page, /watch/, and its worker (bytes): raw, gzip -9, brotli 11");
    page_sizes(build::watch_files()?)
}

fn page_sizes(files: Vec<std::path::PathBuf>) -> anyhow::Result<()> {
    let mut totals = [0usize; 3];
    for file in files {
        let raw = std::fs::read(&file)?;
        let sizes = [
            raw.len(),
            build::gzip(&raw)?.len(),
            build::brotli(&raw)?.len(),
        ];
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        println!("{name:<48} {:>8} {:>8} {:>8}", sizes[0], sizes[1], sizes[2]);
        for (total, size) in totals.iter_mut().zip(sizes) {
            *total += size;
        }
    }
    println!(
        "{:<48} {:>8} {:>8} {:>8}",
        "total", totals[0], totals[1], totals[2]
    );
    Ok(())
}

/// Runs the throughput benchmark with the server and the browser inside a
/// network namespace whose loopback is shaped to `rate_mbit` by tbf (netem is
/// not available here). The MTU must come down to 1500 first: at loopback's
/// 64 KB, tbf drops every packet larger than its burst.
fn shaped_throughput(rate_mbit: u32) -> anyhow::Result<()> {
    let namespace = format!("linktriage-bench-{}", std::process::id());
    // 32 KB: more than a timer tick's worth of tokens at 100 Mbit/s, and
    // small enough not to flatter a half-second transfer with its burst.
    let burst_kb = 32;
    let ip = |args: &[&str]| run(Command::new("ip").args(args));
    ip(&["netns", "add", &namespace])?;
    let result = (|| {
        ip(&[
            "netns", "exec", &namespace, "ip", "link", "set", "lo", "mtu", "1500", "up",
        ])?;
        run(Command::new("ip")
            .args([
                "netns", "exec", &namespace, "tc", "qdisc", "add", "dev", "lo", "root", "tbf",
            ])
            .args([
                "rate",
                &format!("{rate_mbit}mbit"),
                "burst",
                &format!("{burst_kb}kb"),
                "latency",
                "50ms",
            ]))?;
        run(build::lab_env(
            Command::new("ip")
                .args(["netns", "exec", &namespace, "node", "bench/throughput.mjs"])
                .env("RATE_MBIT", rate_mbit.to_string())
                .current_dir(root()),
        ))
    })();
    let _ = ip(&["netns", "delete", &namespace]);
    result
}

/// wrk against the real server and against nginx answering 204 on the same
/// path with the same headers, alternately, three rounds each; medians printed.
fn server_requests_per_second() -> anyhow::Result<()> {
    let workdir = root().join("target").join("bench-nginx");
    std::fs::create_dir_all(&workdir)?;
    let (ours_port, nginx_port) = (18_080, 18_081);
    let mut ours = Background::new(
        Command::new(root().join("target/release/linktriage"))
            .args(["serve", "--listen", &format!("127.0.0.1:{ours_port}")])
            .arg("--assets")
            .arg(root().join("dist"))
            .stdout(Stdio::null())
            .spawn()
            .context("starting linktriage")?,
        None,
    );
    let nginx = start_nginx(&workdir, nginx_port)?;
    // nginx's workers outlive a killed master: ask it to quit instead.
    let mut nginx = Background::new(nginx, Some("QUIT"));
    std::thread::sleep(Duration::from_millis(500));
    let mut figures: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for round in 0..3 {
        for (i, port) in [ours_port, nginx_port].into_iter().enumerate() {
            let rps = wrk(port)?;
            println!(
                "round {}: {:<10} {rps:>10.0} requests/s",
                round + 1,
                ["linktriage", "nginx"][i]
            );
            figures[i].push(rps);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (a, b) = (median(&mut figures[0]), median(&mut figures[1]));
    println!(
        "median: linktriage {a:.0}, nginx {b:.0} requests/s; ratio {:.2}",
        a / b
    );
    ours.stop();
    nginx.stop();
    Ok(())
}

fn start_nginx(workdir: &Path, port: u16) -> anyhow::Result<Child> {
    let conf = format!(
        "worker_processes auto;\nerror_log stderr error;\npid {dir}/nginx.pid;\nevents {{ worker_connections 1024; }}\nhttp {{\n  access_log off;\n  server {{\n    listen 127.0.0.1:{port};\n    location = /api/ping {{\n      add_header Cache-Control \"no-store, no-transform\";\n      add_header Timing-Allow-Origin *;\n      add_header Server-Timing \"app;dur=0.001\";\n      return 204;\n    }}\n  }}\n}}\n",
        dir = workdir.display()
    );
    std::fs::write(workdir.join("nginx.conf"), conf)?;
    Command::new("nginx")
        .arg("-p")
        .arg(workdir)
        .arg("-c")
        .arg(workdir.join("nginx.conf"))
        .args(["-g", "daemon off;"])
        .spawn()
        .context("starting nginx")
}

/// Requests per second from a 5-second wrk run: 2 threads, 64 connections.
fn wrk(port: u16) -> anyhow::Result<f64> {
    let out = output_of(Command::new("wrk").args([
        "-t2",
        "-c64",
        "-d5s",
        &format!("http://127.0.0.1:{port}/api/ping"),
    ]))
    .context("wrk failed")?;
    out.lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .with_context(|| format!("no Requests/sec in wrk's output:\n{out}"))
}

/// A child process that is stopped when dropped: with `signal` if given
/// (and waited for), else killed.
/// 2,000 clients each making the quick phase's requests within a minute,
/// then 10,000 idle kept-alive connections, against the release binary;
/// the load generator's figures beside the server's CPU time and memory
/// from /proc.
fn load_test() -> anyhow::Result<()> {
    use std::io::{BufRead, Write};
    run(build::release_build_of_server().args(["--example", "load"]))?;
    let port = 18_090;
    let mut server = Background::new(
        Command::new(root().join("target/release/linktriage"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--max-connections", "20000"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting linktriage")?,
        None,
    );
    std::thread::sleep(Duration::from_millis(500));
    let pid = server.child.id();
    let (cpu_before, rss_start) = (cpu_seconds(pid)?, memory_kb(pid, "VmRSS")?);
    let mut load = Command::new(root().join("target/release/examples/load"))
        .args([&format!("127.0.0.1:{port}"), "2000", "60", "10000"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("starting the load generator")?;
    let stdout = load.stdout.take().context("the load generator's output")?;
    let mut rss_after_clients = 0;
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line?;
        match line.as_str() {
            "clients_done" => {
                let cpu_clients = cpu_seconds(pid)? - cpu_before;
                rss_after_clients = memory_kb(pid, "VmRSS")?;
                println!("server CPU during the clients: {cpu_clients:.1} s");
                println!(
                    "server peak memory: {} KB (at start {rss_start} KB)",
                    memory_kb(pid, "VmHWM")?
                );
            }
            "idle_ready" => {
                let rss = memory_kb(pid, "VmRSS")?;
                println!(
                    "server memory with the idle connections: {rss} KB ({} KB more than after the clients)",
                    rss.saturating_sub(rss_after_clients)
                );
                if let Some(stdin) = load.stdin.as_mut() {
                    let _ = writeln!(stdin);
                }
            }
            _ => println!("{line}"),
        }
    }
    let _ = load.wait();
    server.stop();
    Ok(())
}

/// The server's peer under 25 to 400 sessions at once, each sending 50
/// probes a second for 15 s: the server's CPU and memory, and the share of
/// probes echoed (the clients share the two cores with it).
fn rtc_sessions() -> anyhow::Result<()> {
    use std::io::BufRead;
    run(build::release_build_of_server().args(["--example", "rtc_load"]))?;
    let (port, rate, seconds) = (18_095, 50, 15);
    for sessions in [25, 50, 100, 200, 400] {
        let mut server = Background::new(
            Command::new(root().join("target/release/linktriage"))
                .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
                // The load names each session's client in X-Forwarded-For,
                // past the cap per client address.
                .args(["--trusted-proxy", "127.0.0.1/32"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .context("starting linktriage")?,
            None,
        );
        std::thread::sleep(Duration::from_millis(500));
        let pid = server.child.id();
        let rss_idle = memory_kb(pid, "VmRSS")?;
        let mut load = Command::new(root().join("target/release/examples/rtc_load"))
            .args([
                format!("127.0.0.1:{port}"),
                sessions.to_string(),
                rate.to_string(),
                seconds.to_string(),
            ])
            .stdout(Stdio::piped())
            .spawn()
            .context("starting the sessions")?;
        let stdout = load.stdout.take().context("the sessions' output")?;
        let mut counts = std::collections::HashMap::new();
        for line in std::io::BufReader::new(stdout).lines() {
            let line = line?;
            if line == "running" {
                let cpu = cpu_seconds(pid)?;
                std::thread::sleep(Duration::from_secs(seconds));
                let used = cpu_seconds(pid)? - cpu;
                let rss = memory_kb(pid, "VmRSS")?;
                println!(
                    "{sessions} sessions: server CPU {:.0} % of one core ({:.2} % a session), memory {rss} KB ({:.0} KB a session over {rss_idle} KB idle)",
                    used / seconds as f64 * 100.0,
                    used / seconds as f64 * 100.0 / f64::from(sessions),
                    rss.saturating_sub(rss_idle) as f64 / f64::from(sessions),
                );
            } else if let Some((key, value)) = line.split_once(' ') {
                counts.insert(key.to_owned(), value.parse::<f64>().unwrap_or(0.0));
            }
        }
        let _ = load.wait();
        server.stop();
        let count = |key: &str| counts.get(key).copied().unwrap_or(0.0);
        println!(
            "{sessions} sessions: {} opened, {} failed; {} of {} probes echoed ({:.2} %)",
            count("opened"),
            count("failed"),
            count("echoed"),
            count("sent"),
            count("echoed") / count("sent").max(1.0) * 100.0
        );
    }
    Ok(())
}

/// User and system CPU seconds a process has used (clock ticks of 1/100 s).
fn cpu_seconds(pid: u32) -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after = stat.rfind(')').map_or("", |i| &stat[i + 2..]);
    let ticks: u64 = after
        .split(' ')
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse::<u64>().ok())
        .sum();
    Ok(ticks as f64 / 100.0)
}

/// A memory figure of a process, from /proc/PID/status, in KB.
fn memory_kb(pid: u32, field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .with_context(|| format!("no {field} for process {pid}"))
}

struct Background {
    child: Child,
    signal: Option<&'static str>,
}

impl Background {
    fn new(child: Child, signal: Option<&'static str>) -> Background {
        Background { child, signal }
    }

    fn stop(&mut self) {
        match self.signal {
            Some(signal) => {
                let _ = Command::new("kill")
                    .args([&format!("-{signal}"), &self.child.id().to_string()])
                    .status();
            }
            None => {
                let _ = self.child.kill();
            }
        }
        let _ = self.child.wait();
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.stop();
    }
}
