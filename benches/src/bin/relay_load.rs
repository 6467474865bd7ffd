//! `relay_load`: a load client for MSRP relays (ours, `msrp relay`, or any other, e.g.
//! Kamailio's msrp module), the same client for each so their figures compare.
//!
//! ```text
//! relay_load --relay URI [--user U --password P] [--body BYTES] [--seconds S]
//!            [--window N] [--pairs N]
//! ```
//!
//! Each pair is two TCP connections to the relay: a receiver that authenticates (AUTH,
//! then AUTH with Digest after a 401) and takes the Use-Path URI it is given, and a sender
//! that sends SEND chunks of `--body` bytes to that URI (To-Path: Use-Path, then the
//! receiver's URI; `Failure-Report: no`, so nothing is answered end to end) as fast as
//! the receiver takes them, with at most `--window` chunks sent and not yet received.
//! The receiver parses every byte with msrp-proto's strict parser and counts the chunks
//! whose end-line arrived. After a second of warm-up, it counts for `--seconds` and prints
//! one JSON line: chunks per second, body bytes per second, and the chunks seen.
//!
//! Blocking sockets and threads (three per pair), no runtime: the client costs little
//! beside the relay it measures. Exit status 1 when the relay refused or closed.
#![allow(clippy::print_stdout, clippy::print_stderr)]
#![allow(missing_docs)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use msrp_proto::auth::{Challenge, Credentials};
use msrp_proto::wire::{ChunkParser, ParseEvent};
use msrp_proto::{Limits, Mode};

struct Args {
    relay: String,
    user: String,
    password: String,
    body: usize,
    seconds: f64,
    window: u64,
    pairs: usize,
}

fn usage() -> ! {
    eprintln!(
        "usage: relay_load --relay URI [--user U --password P] [--body BYTES] [--seconds S] \
         [--window N] [--pairs N]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut a = Args {
        relay: String::new(),
        user: "bench".into(),
        password: "bench".into(),
        body: 100,
        seconds: 5.0,
        window: 256,
        pairs: 1,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let Some(v) = it.next() else { usage() };
        match flag.as_str() {
            "--relay" => a.relay = v,
            "--user" => a.user = v,
            "--password" => a.password = v,
            "--body" => a.body = size(&v).unwrap_or_else(|| usage()),
            "--seconds" => a.seconds = v.parse().unwrap_or_else(|_| usage()),
            "--window" => a.window = v.parse().unwrap_or_else(|_| usage()),
            "--pairs" => a.pairs = v.parse().unwrap_or_else(|_| usage()),
            _ => usage(),
        }
    }
    if a.relay.is_empty() || a.window == 0 || a.pairs == 0 {
        usage()
    }
    a
}

fn size(s: &str) -> Option<usize> {
    let (n, mul) = match s.as_bytes().last()? {
        b'K' | b'k' => (&s[..s.len() - 1], 1 << 10),
        b'M' | b'm' => (&s[..s.len() - 1], 1 << 20),
        _ => (s, 1),
    };
    n.parse::<usize>().ok().map(|n| n * mul)
}

/// The relay's host and port from its URI.
fn addr_of(uri: &str) -> Option<String> {
    let rest = uri.split_once("://")?.1;
    let hostport = rest.split(['/', ';']).next()?;
    let hostport = hostport.rsplit_once('@').map_or(hostport, |(_, h)| h);
    Some(if hostport.contains(':') && !hostport.ends_with(']') {
        hostport.to_owned()
    } else {
        format!("{hostport}:2855")
    })
}

/// Reads from `s` until one chunk head arrives; returns it.
fn read_head(
    s: &mut TcpStream,
    parser: &mut ChunkParser,
) -> Result<msrp_proto::wire::ChunkHead, String> {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        while let Some(ev) = parser.next() {
            match ev {
                Ok(ParseEvent::Head(h)) => return Ok(h),
                Ok(_) => {}
                Err(e) => return Err(format!("the relay's bytes do not parse: {e}")),
            }
        }
        let n = s.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("the relay closed the connection".into());
        }
        parser.feed(&buf[..n]);
    }
}

/// AUTH on `s` (Digest after a 401); returns the Use-Path value.
fn authenticate(s: &mut TcpStream, me: &str, args: &Args) -> Result<String, String> {
    let mut parser = ChunkParser::new(Limits::DEFAULT, Mode::Tolerant);
    let auth = |tid: &str, extra: &str| {
        format!(
            "MSRP {tid} AUTH\r\nTo-Path: {}\r\nFrom-Path: {me}\r\n{extra}-------{tid}$\r\n",
            args.relay
        )
    };
    s.write_all(auth("loadauth1", "").as_bytes())
        .map_err(|e| e.to_string())?;
    let mut head = read_head(s, &mut parser)?;
    if head.status_code() == Some(401) {
        let www = head
            .header_value("WWW-Authenticate")
            .ok_or("a 401 without WWW-Authenticate")?;
        let ch = Challenge::parse_bytes(www).map_err(|e| e.to_string())?;
        let creds = Credentials::new(&args.user, &args.password);
        let value = ch
            .authorization(&creds, "AUTH", &args.relay, "10adc11e", 1)
            .map_err(|e| e.to_string())?;
        s.write_all(auth("loadauth2", &format!("Authorization: {value}\r\n")).as_bytes())
            .map_err(|e| e.to_string())?;
        head = read_head(s, &mut parser)?;
    }
    if head.status_code() != Some(200) {
        return Err(format!("AUTH answered {:?}", head.status_code()));
    }
    let use_path = head
        .header_value("Use-Path")
        .ok_or("a 200 without Use-Path")?;
    Ok(String::from_utf8_lossy(use_path).trim().to_owned())
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn uri_from(s: &TcpStream, name: &str) -> Result<String, String> {
    let local = s.local_addr().map_err(|e| e.to_string())?;
    Ok(format!("msrp://{local}/{name};tcp"))
}

struct Counters {
    sent: AtomicU64,
    received: AtomicU64,
    failed: AtomicBool,
    stop: AtomicBool,
    /// The senders wait here while their window is full; receivers wake them. (Waiting,
    /// not spinning: on a machine of few cores a spinning client takes the relay's CPU.)
    lock: Mutex<()>,
    room: Condvar,
}

impl Counters {
    fn received(&self, n: u64) {
        self.received.fetch_add(n, Ordering::Relaxed);
        let _g = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        self.room.notify_all();
    }

    /// Waits until `n` more chunks fit in the window (or the run ends).
    fn wait_for_room(&self, n: u64, window: u64) {
        let mut g = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let inflight =
                self.sent.load(Ordering::Relaxed) - self.received.load(Ordering::Relaxed);
            if inflight + n <= window
                || self.stop.load(Ordering::Relaxed)
                || self.failed.load(Ordering::Relaxed)
            {
                return;
            }
            g = self
                .room
                .wait_timeout(g, Duration::from_millis(100))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

fn run_pair(args: &Args, index: usize, counters: Arc<Counters>) -> Result<(), String> {
    let addr = addr_of(&args.relay).ok_or("no host:port in --relay")?;
    let mut recv = TcpStream::connect(&addr).map_err(|e| format!("{addr}: {e}"))?;
    recv.set_nodelay(true).map_err(|e| e.to_string())?;
    let recv_uri = uri_from(&recv, &format!("recv{index}"))?;
    let use_path = authenticate(&mut recv, &recv_uri, args)?;
    let send = TcpStream::connect(&addr).map_err(|e| format!("{addr}: {e}"))?;
    send.set_nodelay(true).map_err(|e| e.to_string())?;
    let send_uri = uri_from(&send, &format!("send{index}"))?;

    // Sixteen chunks per write (one for large bodies). The chunks of a write are built
    // once; each write only rewrites their counters (the transaction id and Message-ID
    // change from chunk to chunk), so the client spends its time on the sockets.
    let per_write: u64 = if args.body >= 64 * 1024 { 1 } else { 16 };
    let body = vec![b'x'; args.body];
    let mut batch = Vec::new();
    let mut counters_at = Vec::new();
    for k in 0..per_write {
        let tid = format!("t{index}x{k:012}");
        let head = format!(
            "MSRP {tid} SEND\r\nTo-Path: {use_path} {recv_uri}\r\nFrom-Path: {send_uri}\r\n\
             Message-ID: m{index}x{k:012}\r\nFailure-Report: no\r\nByte-Range: 1-{len}/{len}\r\n\
             Content-Type: text/plain\r\n\r\n",
            len = args.body
        );
        let start = batch.len();
        batch.extend_from_slice(head.as_bytes());
        batch.extend_from_slice(&body);
        batch.extend_from_slice(format!("\r\n-------{tid}$\r\n").as_bytes());
        // Where the three 12-digit counters of this chunk are.
        let text = &batch[start..];
        let digits = format!("x{k:012}");
        let mut at = Vec::new();
        let mut from = 0;
        while let Some(i) = find(&text[from..], digits.as_bytes()) {
            at.push(start + from + i + 1);
            from += i + digits.len();
        }
        if at.len() != 3 {
            return Err("the chunk template does not hold its counters".into());
        }
        counters_at.push(at);
    }
    let c = counters.clone();
    let mut reader = recv;
    let receiving = std::thread::spawn(move || {
        let mut parser = ChunkParser::new(Limits::DEFAULT, Mode::Strict);
        let mut buf = vec![0u8; 256 * 1024];
        while !c.stop.load(Ordering::Relaxed) {
            let n = match reader.read(&mut buf) {
                Ok(0) | Err(_) => {
                    if !c.stop.load(Ordering::Relaxed) {
                        c.failed.store(true, Ordering::Relaxed);
                    }
                    break;
                }
                Ok(n) => n,
            };
            parser.feed(&buf[..n]);
            let mut ended = 0;
            while let Some(ev) = parser.next() {
                match ev {
                    Ok(ParseEvent::End(_)) => ended += 1,
                    Ok(_) => {}
                    Err(_) => c.failed.store(true, Ordering::Relaxed),
                }
            }
            if ended > 0 {
                c.received(ended);
            }
        }
    });
    // The relay's own answers to the sender (hop-by-hop 200s of relays that send them
    // anyway): read and dropped.
    let mut drain = send.try_clone().map_err(|e| e.to_string())?;
    let c = counters.clone();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        while let Ok(n) = drain.read(&mut buf) {
            if n == 0 {
                if !c.stop.load(Ordering::Relaxed) {
                    c.failed.store(true, Ordering::Relaxed);
                }
                break;
            }
        }
    });
    let mut writer = send;
    let mut n = 0u64;
    while !counters.stop.load(Ordering::Relaxed) && !counters.failed.load(Ordering::Relaxed) {
        counters.wait_for_room(per_write, args.window * args.pairs as u64);
        if counters.stop.load(Ordering::Relaxed) || counters.failed.load(Ordering::Relaxed) {
            break;
        }
        for at in &counters_at {
            let digits = format!("{n:012}");
            for &i in at {
                batch[i..i + 12].copy_from_slice(digits.as_bytes());
            }
            n += 1;
        }
        counters.sent.fetch_add(per_write, Ordering::Relaxed);
        if writer.write_all(&batch).is_err() {
            counters.failed.store(true, Ordering::Relaxed);
        }
    }
    let _ = receiving.join();
    Ok(())
}

fn main() {
    let args = Arc::new(parse_args());
    let counters = Arc::new(Counters {
        sent: AtomicU64::new(0),
        received: AtomicU64::new(0),
        failed: AtomicBool::new(false),
        stop: AtomicBool::new(false),
        lock: Mutex::new(()),
        room: Condvar::new(),
    });
    let mut pairs = Vec::new();
    for i in 0..args.pairs {
        let (a, c) = (args.clone(), counters.clone());
        pairs.push(std::thread::spawn(move || run_pair(&a, i, c)));
    }
    std::thread::sleep(Duration::from_secs(1));
    let (t0, r0) = (Instant::now(), counters.received.load(Ordering::Relaxed));
    std::thread::sleep(Duration::from_secs_f64(args.seconds));
    let (secs, r1) = (
        t0.elapsed().as_secs_f64(),
        counters.received.load(Ordering::Relaxed),
    );
    counters.stop.store(true, Ordering::Relaxed);
    let failed = counters.failed.load(Ordering::Relaxed);
    let chunks = r1 - r0;
    let per_s = chunks as f64 / secs;
    println!(
        "{{\"relay\":\"{}\",\"body\":{},\"pairs\":{},\"seconds\":{secs:.2},\"chunks\":{chunks},\
         \"chunks_per_s\":{per_s:.0},\"body_mb_per_s\":{:.1},\"failed\":{failed}}}",
        args.relay,
        args.body,
        args.pairs,
        per_s * args.body as f64 / 1e6
    );
    // The threads block in reads; the process ends with them.
    for p in pairs {
        if p.is_finished() {
            if let Ok(Err(e)) = p.join() {
                eprintln!("relay_load: {e}");
                std::process::exit(1);
            }
        }
    }
    if failed || chunks == 0 {
        eprintln!("relay_load: the relay refused or closed a connection");
        std::process::exit(1);
    }
}
