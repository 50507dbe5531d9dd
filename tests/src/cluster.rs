//! A throwaway PostgreSQL cluster, for the tests that restart or crash the server: the shared
//! cluster of `TEST_POSTGRES_URL` serves other tests in parallel and is never touched.
//!
//! The cluster lives in its own folder under the temporary directory, listens on a free
//! loopback port (and on a socket in that folder), has the roles `parcours_owner` (LOGIN
//! CREATEDB) and `parcours_app` (LOGIN), and is stopped and removed when the [`Cluster`] is
//! dropped, also when the test panics; one left by a killed test process is stopped and removed
//! by the next [`Cluster::start`]. As root, `initdb` and `pg_ctl` run as the `postgres`
//! user (PostgreSQL refuses to run as root).
//!
//! The binaries are found with `pg_config --bindir`, else in the newest
//! `/usr/lib/postgresql/*/bin`. Under `CI=true` a missing binary fails the test; elsewhere the
//! test prints why it did not run.

use std::path::{Path, PathBuf};
use std::process::Command;

use parcours_domain::Db;
use uuid::Uuid;

/// How the server stops before it starts again.
#[derive(Clone, Copy, Debug)]
pub enum Stop {
    /// Sessions are terminated and the server shuts down cleanly (`pg_ctl -m fast`).
    Fast,
    /// The server is killed, as in a crash; it recovers from its WAL on the way back up
    /// (`pg_ctl -m immediate`).
    Immediate,
}

impl Stop {
    fn as_arg(self) -> &'static str {
        match self {
            Self::Fast => "fast",
            Self::Immediate => "immediate",
        }
    }
}

/// A running throwaway cluster; dropping it stops the server and removes its folder.
#[derive(Debug)]
pub struct Cluster {
    paths: Paths,
}

/// Where the cluster lives and how its binaries run.
#[derive(Clone, Debug)]
struct Paths {
    base: PathBuf,
    bindir: PathBuf,
    port: u16,
    as_postgres: bool,
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Fail under CI, else say why the test does not run.
fn unavailable(why: &str) -> Option<Cluster> {
    assert!(
        !in_ci(),
        "a throwaway PostgreSQL cluster is required when CI=true: {why}"
    );
    eprintln!("throwaway PostgreSQL cluster not started ({why}): test not run");
    None
}

/// The folder holding `initdb`, `pg_ctl` and `postgres`.
fn find_bindir() -> Option<PathBuf> {
    let has_all = |dir: &Path| {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|b| dir.join(b).is_file())
    };
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    if let Some(dir) = from_pg_config.filter(|d| has_all(d)) {
        return Some(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse().ok()?;
            Some((version, e.path().join("bin")))
        })
        .filter(|(_, dir)| has_all(dir))
        .collect();
    versions.sort();
    versions.pop().map(|(_, dir)| dir)
}

/// The folder name prefix of throwaway clusters, and the file naming their test process.
const PREFIX: &str = "parcours-pg-";
const OWNER_FILE: &str = "owner.pid";

/// Stop and remove the clusters left by test processes that no longer run (a killed test
/// cannot drop its cluster, and `pg_ctl start` detaches the server). Clusters of running
/// processes, this one's or another test run's, are left alone.
fn sweep_abandoned(bindir: &Path, as_postgres: bool) {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let base = entry.path();
        let is_cluster = entry
            .file_name()
            .to_str()
            .is_some_and(|name| name.starts_with(PREFIX));
        let Some(owner) = std::fs::read_to_string(base.join(OWNER_FILE))
            .ok()
            .and_then(|pid| pid.trim().parse::<u32>().ok())
        else {
            continue;
        };
        if !is_cluster || Path::new(&format!("/proc/{owner}")).exists() {
            continue;
        }
        let paths = Paths {
            base: base.clone(),
            bindir: bindir.to_path_buf(),
            port: 0,
            as_postgres,
        };
        paths.stop_and_remove();
    }
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    listener.local_addr().expect("address").port()
}

impl Cluster {
    /// Create and start a cluster with the Parcours roles; `None` (outside CI only) when
    /// PostgreSQL's binaries are not installed.
    pub async fn start() -> Option<Self> {
        let Some(bindir) = find_bindir() else {
            return unavailable(
                "no initdb/pg_ctl/postgres: pg_config --bindir and /usr/lib/postgresql/*/bin have none",
            );
        };
        let as_postgres = is_root();
        if as_postgres && Command::new("runuser").arg("--help").output().is_err() {
            return unavailable("running as root and `runuser` is missing");
        }
        sweep_abandoned(&bindir, as_postgres);
        let base = std::env::temp_dir().join(format!("{PREFIX}{}", Uuid::now_v7().simple()));
        std::fs::create_dir_all(&base).expect("cluster folder");
        // Which test process owns it: a cluster whose process died without dropping it (killed,
        // not panicked) is stopped and removed by the next start.
        std::fs::write(base.join(OWNER_FILE), std::process::id().to_string()).expect("owner file");
        let cluster = Self {
            paths: Paths {
                base,
                bindir,
                port: free_port(),
                as_postgres,
            },
        };
        let paths = cluster.paths.clone();
        tokio::task::spawn_blocking(move || paths.init_and_start())
            .await
            .expect("initdb and start");
        let superuser = Db::connect(&cluster.superuser_url(), &Default::default())
            .await
            .expect("the throwaway cluster accepts the superuser");
        for sql in [
            "CREATE ROLE parcours_owner LOGIN CREATEDB NOSUPERUSER NOBYPASSRLS",
            "CREATE ROLE parcours_app LOGIN NOSUPERUSER NOBYPASSRLS",
        ] {
            parcours_domain::db::execute_unscoped(&superuser, sql)
                .await
                .expect("role created");
        }
        superuser.close().await.ok();
        Some(cluster)
    }

    /// Its loopback port.
    pub fn port(&self) -> u16 {
        self.paths.port
    }

    /// The owner role's URL (for `Backend::Postgres { owner_url }`).
    pub fn owner_url(&self) -> String {
        format!(
            "postgres://parcours_owner@127.0.0.1:{}/postgres",
            self.port()
        )
    }

    /// The superuser's URL.
    pub fn superuser_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port())
    }

    /// Stop the server (`mode`) and start it again; returns once it accepts connections.
    pub async fn restart(&self, mode: Stop) {
        let paths = self.paths.clone();
        tokio::task::spawn_blocking(move || {
            paths.pg_ctl(&["restart", "-m", mode.as_arg(), "-w", "-t", "120"]);
        })
        .await
        .expect("restart");
    }
}

impl Paths {
    fn data(&self) -> PathBuf {
        self.base.join("data")
    }

    fn log(&self) -> PathBuf {
        self.base.join("server.log")
    }

    /// A command for one of the binaries, as the `postgres` user when we are root.
    fn command(&self, binary: &str) -> Command {
        let path = self.bindir.join(binary);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        }
    }

    fn run(&self, mut command: Command, what: &str) {
        let output = command
            .output()
            .unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
        if !output.status.success() {
            let log = std::fs::read_to_string(self.log()).unwrap_or_default();
            panic!(
                "{what} failed: {}\n{}\n{}\nserver log:\n{log}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }

    fn pg_ctl(&self, args: &[&str]) {
        let mut command = self.command("pg_ctl");
        command
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.log())
            .args(args);
        self.run(command, &format!("pg_ctl {}", args.join(" ")));
    }

    /// Stop the server if it runs (immediately: nothing in it is kept) and remove the folder.
    fn stop_and_remove(&self) {
        if self.data().join("postmaster.pid").exists() {
            let mut command = self.command("pg_ctl");
            command
                .arg("-D")
                .arg(self.data())
                .args(["stop", "-m", "immediate", "-w"]);
            let _ = command.output();
        }
        let _ = std::fs::remove_dir_all(&self.base);
    }

    fn init_and_start(&self) {
        if self.as_postgres {
            let mut chown = Command::new("chown");
            chown.arg("postgres:postgres").arg(&self.base);
            self.run(chown, "chown of the cluster folder");
        }
        let mut initdb = self.command("initdb");
        initdb
            .arg("-D")
            .arg(self.data())
            .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"])
            .arg("--no-sync");
        self.run(initdb, "initdb");
        // Settings in the configuration file, so that a restart keeps them. fsync is off: the
        // tests crash the server process, never the machine, so the WAL in the page cache
        // survives and recovery is exercised all the same.
        let settings = format!(
            "\nport = {}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\nfsync = off\nmax_connections = 40\n",
            self.port,
            self.base.display()
        );
        let conf = self.data().join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).expect("postgresql.conf");
        text.push_str(&settings);
        std::fs::write(&conf, text).expect("postgresql.conf written");
        self.pg_ctl(&["start", "-w", "-t", "120"]);
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.paths.stop_and_remove();
    }
}
