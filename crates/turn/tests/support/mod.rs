//! Test support: a real coturn on free loopback ports, a throwaway CA, and misbehaving servers.

#![allow(dead_code)]

use std::fs;
use std::net::{SocketAddr, TcpListener as StdTcpListener, UdpSocket as StdUdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use charge_turn::{ProbeOptions, TurnConfig, load_pem_certificates};
use tempfile::TempDir;

pub const USER: &str = "charge";
pub const PASSWORD: &str = "correct-horse";
pub const REALM: &str = "charge.test";

/// The coturn binary: `TURNSERVER_BIN` or `turnserver` on `PATH`. Panics when it is missing:
/// these tests must fail, not skip, on a machine without coturn.
pub fn turnserver_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("TURNSERVER_BIN") {
        return PathBuf::from(bin);
    }
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("turnserver"))
            .find(|candidate| candidate.is_file())
    });
    found.expect("coturn's `turnserver` is not installed (apt-get install -y coturn)")
}

/// A port that is free for both UDP and TCP on 127.0.0.1 right now.
pub fn free_port() -> u16 {
    for _ in 0..100 {
        let tcp = StdTcpListener::bind("127.0.0.1:0").expect("bind a TCP port");
        let port = tcp.local_addr().expect("bound address").port();
        if StdUdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no port free for both UDP and TCP");
}

/// How a coturn instance authenticates.
pub enum Auth {
    /// `--lt-cred-mech --user=<user>:<password>`.
    Static { user: String, password: String },
    /// `--use-auth-secret --static-auth-secret=<secret>`.
    SharedSecret(String),
}

/// A coturn process on 127.0.0.1, killed on drop.
pub struct Coturn {
    child: Child,
    pub port: u16,
    pub tls_port: Option<u16>,
    pub log: PathBuf,
}

impl Coturn {
    /// Static credentials [`USER`]/[`PASSWORD`], UDP+TCP only.
    pub fn plain(dir: &Path) -> Self {
        Self::start(dir, Self::static_auth(), None)
    }

    /// Static credentials, UDP+TCP plus TLS with the given certificate.
    pub fn with_tls(dir: &Path, pki: &TestPki) -> Self {
        Self::start(dir, Self::static_auth(), Some(pki))
    }

    pub fn static_auth() -> Auth {
        Auth::Static {
            user: USER.into(),
            password: PASSWORD.into(),
        }
    }

    pub fn start(dir: &Path, auth: Auth, tls: Option<&TestPki>) -> Self {
        let port = free_port();
        let tls_port = tls.map(|_| free_port());
        let log = dir.join(format!("turnserver-{port}.log"));
        let mut command = Command::new(turnserver_bin());
        command.args([
            "-n",
            "--listening-ip=127.0.0.1",
            "--relay-ip=127.0.0.1",
            "--allow-loopback-peers",
            "--no-cli",
            "--no-dtls",
            "--fingerprint",
            "--log-file=stdout",
            "--simple-log",
            "--verbose",
        ]);
        command.arg(format!("--realm={REALM}"));
        command.arg(format!("--listening-port={port}"));
        command.arg(format!(
            "--pidfile={}",
            dir.join(format!("turnserver-{port}.pid")).display()
        ));
        match auth {
            Auth::Static { user, password } => {
                command.arg("--lt-cred-mech");
                command.arg(format!("--user={user}:{password}"));
            }
            Auth::SharedSecret(secret) => {
                command.arg("--use-auth-secret");
                command.arg(format!("--static-auth-secret={secret}"));
            }
        }
        match (tls, tls_port) {
            (Some(pki), Some(tls_port)) => {
                command.arg(format!("--tls-listening-port={tls_port}"));
                command.arg(format!("--cert={}", pki.cert.display()));
                command.arg(format!("--pkey={}", pki.key.display()));
            }
            _ => {
                command.arg("--no-tls");
            }
        }
        Self::spawn(command, port, tls_port, log)
    }

    /// Runs `command` (turnserver, or something that execs it) with its output in `log`, and
    /// waits until it listens on `port` (and `tls_port`).
    pub fn spawn(mut command: Command, port: u16, tls_port: Option<u16>, log: PathBuf) -> Self {
        let output = fs::File::create(&log).expect("create coturn log");
        let errors = output.try_clone().expect("clone the log file handle");
        let child = command
            .stdin(Stdio::null())
            .stdout(output)
            .stderr(errors)
            .spawn()
            .expect("start turnserver");
        let mut coturn = Coturn {
            child,
            port,
            tls_port,
            log,
        };
        coturn.wait_until_listening(port, true);
        if let Some(tls_port) = tls_port {
            // That port's UDP side speaks DTLS, so only its TCP listener is checked.
            coturn.wait_until_listening(tls_port, false);
        }
        coturn
    }

    /// Whether the process is still the one that was started (not exited).
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits (bounded) until the TCP listener accepts and the UDP listener answers a STUN
    /// Binding request: coturn opens them one after the other, so both are checked.
    fn wait_until_listening(&mut self, port: u16, check_udp: bool) {
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let give_up = Instant::now() + Duration::from_secs(15);
        let mut tcp_ready = false;
        while Instant::now() < give_up && self.is_running() {
            tcp_ready = tcp_ready
                || std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok();
            if tcp_ready && (!check_udp || udp_answers(addr)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "turnserver did not listen on {addr} within 15s (or exited); log:\n{}",
            fs::read_to_string(&self.log).unwrap_or_default()
        );
    }

    pub fn url(&self, transport: &str) -> String {
        format!("turn:127.0.0.1:{}?transport={transport}", self.port)
    }

    pub fn tls_url(&self) -> String {
        format!(
            "turns:127.0.0.1:{}?transport=tcp",
            self.tls_port.expect("coturn started without TLS")
        )
    }

    /// Waits (bounded) until `needle` appears `count` times in coturn's log.
    pub fn wait_for_log(&self, needle: &str, count: usize) {
        let give_up = Instant::now() + Duration::from_secs(5);
        loop {
            let log = self.log_text();
            if log.matches(needle).count() >= count {
                return;
            }
            assert!(
                Instant::now() < give_up,
                "`{needle}` not logged {count} times by coturn:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn log_text(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Coturn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A throwaway CA and a server certificate for 127.0.0.1 and localhost, made with openssl.
pub struct TestPki {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TestPki {
    pub fn generate(dir: &Path) -> Self {
        let path = |name: &str| dir.join(name);
        let ext = path("server.ext");
        fs::write(
            &ext,
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
             keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
        )
        .expect("write the certificate extensions");
        let openssl = |args: &[&str]| {
            let output = Command::new("openssl")
                .args(args)
                .current_dir(dir)
                .output()
                .expect("run openssl");
            assert!(
                output.status.success(),
                "openssl {args:?} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        };
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        openssl(
            &[
                &["req", "-x509"][..],
                &ec,
                &["-keyout", "ca.key", "-out", "ca.pem", "-days", "2"],
                &["-subj", "/CN=Charge test CA"],
                &["-addext", "basicConstraints=critical,CA:TRUE"],
                &["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            ]
            .concat(),
        );
        openssl(
            &[
                &["req"][..],
                &ec,
                &[
                    "-keyout",
                    "server.key",
                    "-out",
                    "server.csr",
                    "-subj",
                    "/CN=localhost",
                ],
            ]
            .concat(),
        );
        openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ]);
        TestPki {
            ca: path("ca.pem"),
            cert: path("server.pem"),
            key: path("server.key"),
        }
    }

    pub fn options(&self, timeout: Duration) -> ProbeOptions {
        ProbeOptions {
            timeout,
            extra_roots: load_pem_certificates(&self.ca).expect("load the test CA"),
            ..ProbeOptions::default()
        }
    }
}

pub fn temp_dir() -> TempDir {
    tempfile::Builder::new()
        .prefix("charge-turn-test")
        .tempdir()
        .expect("create a temp dir")
}

/// A config with static credentials and the given primary URLs.
pub fn static_config(urls: Vec<String>, password: &str) -> TurnConfig {
    TurnConfig {
        turn_servers: urls,
        username: Some(USER.into()),
        credential: Some(password.into()),
        ..TurnConfig::default()
    }
}

pub fn options(timeout: Duration) -> ProbeOptions {
    ProbeOptions {
        timeout,
        ..ProbeOptions::default()
    }
}

/// Whether a STUN Binding request (type 0x0001, no attributes) to `addr` over UDP is answered.
fn udp_answers(addr: SocketAddr) -> bool {
    let Ok(socket) = std::net::UdpSocket::bind("127.0.0.1:0") else {
        return false;
    };
    let _ = socket.set_read_timeout(Some(Duration::from_millis(200)));
    let mut request = vec![0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42];
    request.extend_from_slice(b"charge-ready");
    let mut answer = [0u8; 512];
    socket.send_to(&request, addr).is_ok() && socket.recv_from(&mut answer).is_ok()
}
