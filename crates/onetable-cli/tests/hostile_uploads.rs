//! The uploads that took the whole server down (issue 26), sent to `onetable serve` running
//! under a 2 GiB memory limit, so that a regression fails this test rather than the machine:
//! a 1.9 KB workbook whose long header is merged over eight million cells, clean-ups of many
//! ZIP bombs at once, an old-style XLS whose two cells span the whole sheet. Each is answered
//! with a 4xx, the server keeps answering others, and its peak memory stays far below the
//! limit. The time of each answer is printed (`scripts/bench-hostile.sh` runs this in release
//! for docs/benchmarks.md); it is not asserted here, a debug build being no measure of speed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test: a failure is a panic with its message

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use onetable_tests::hostile::{header_merged_over_millions, xls, zip_bomb, XlsCell};

use common::{onetable_ok as onetable, BIN};
const PASSWORD: &str = "Hostile-test-2025";
const LIMIT: u64 = 2 * 1024 * 1024 * 1024;

/// How the server's memory is held to [`LIMIT`] and its peak read.
enum Limit {
    /// A memory cgroup of its own (v1 or v2): the kernel ends the server, and only the server,
    /// beyond the limit; the cgroup keeps the peak.
    Cgroup { dir: PathBuf, peak_file: &'static str },
    /// No cgroup may be made here: the peak resident size is read from `/proc` instead.
    Unlimited,
}

impl Limit {
    fn apply(pid: u32) -> Self {
        let name = format!("onetable-hostile-{}-{pid}", std::process::id());
        let v1 = Path::new("/sys/fs/cgroup/memory");
        let v2 = Path::new("/sys/fs/cgroup");
        let tries: [(&Path, &str, &str, &'static str); 2] = [
            (v1, "memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.max_usage_in_bytes"),
            (v2, "memory.max", "memory.swap.max", "memory.peak"),
        ];
        for (root, limit, swap, peak_file) in tries {
            let dir = root.join(&name);
            if std::fs::create_dir(&dir).is_err() {
                continue;
            }
            let set = std::fs::write(dir.join(limit), LIMIT.to_string()).is_ok();
            // No swap either, where the kernel offers the setting.
            let _ = std::fs::write(dir.join(swap), if root == v1 { LIMIT.to_string() } else { "0".to_owned() });
            if set && std::fs::write(dir.join("cgroup.procs"), pid.to_string()).is_ok() {
                eprintln!("the server runs in {} (limit {} MiB)", dir.display(), LIMIT >> 20);
                return Self::Cgroup { dir, peak_file };
            }
            let _ = std::fs::remove_dir(&dir);
        }
        eprintln!("no memory cgroup can be made here: the peak is read from /proc, without a limit");
        Self::Unlimited
    }

    /// The server's peak memory so far, in bytes.
    fn peak(&self, pid: u32) -> u64 {
        match self {
            Self::Cgroup { dir, peak_file } => {
                std::fs::read_to_string(dir.join(peak_file)).unwrap().trim().parse().unwrap()
            }
            Self::Unlimited => {
                let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
                let kib: u64 = status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                    .unwrap();
                kib * 1024
            }
        }
    }
}

impl Drop for Limit {
    fn drop(&mut self) {
        if let Self::Cgroup { dir, .. } = self {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

struct Server {
    child: Child,
    base: String,
    limit: Limit,
}

impl Server {
    fn start(url: &str, data_dir: &Path) -> Self {
        let mut child = Command::new(BIN)
            .args(["--database-url", url, "serve", "--bind", "127.0.0.1:0"])
            .env("ONETABLE_DATA_DIR", data_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let limit = Limit::apply(child.id());
        let base = common::listening(&mut child);
        Self { child, base, limit }
    }

    /// Fails the test, saying so, when the server has ended (the kernel's OOM killer, say).
    fn assert_alive(&mut self, after: &str) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!("the server ended after {after}: {status} (killed for memory?)");
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Posts `body` and answers the status, the error code and how long the answer took.
async fn post(
    client: reqwest::Client,
    url: String,
    token: String,
    content_type: String,
    body: Vec<u8>,
) -> (u16, String, Duration) {
    let started = Instant::now();
    let response = client
        .post(url)
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("an answer (the server is still up)");
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    (status, body["error"].as_str().unwrap_or_default().to_owned(), started.elapsed())
}

fn multipart(files: &[Vec<u8>]) -> (String, Vec<u8>) {
    let boundary = "----onetable-hostile";
    let mut body = Vec::new();
    for (i, file) in files.iter().enumerate() {
        body.extend(format!("--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"batch{i}.zip\"\r\ncontent-type: application/zip\r\n\r\n").into_bytes());
        body.extend(file);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").into_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_uploads_are_refused_under_a_memory_limit_and_the_server_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("onetable.db").display());
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    onetable(&url, &["regions", "import", "--from", &repo.join("data/regions-5223").display().to_string()], None);
    let catalogue = repo.join("data/catalogue");
    let indicators = catalogue.join("indicators.csv").display().to_string();
    let rules = catalogue.join("rules.csv").display().to_string();
    onetable(&url, &["catalogue", "load", "--indicators", &indicators, "--rules", &rules], None);
    onetable(
        &url,
        &[
            "users",
            "add",
            "--username",
            "mz_dept",
            "--role",
            "department",
            "--region",
            "5223",
            "--department",
            "民政局",
            "--own-password",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    onetable(
        &url,
        &["users", "add", "--username", "ops_admin", "--role", "admin", "--region", "5223", "--own-password"],
        Some(&format!("{PASSWORD}\n")),
    );
    onetable(
        &url,
        &["users", "add", "--username", "wjp_clerk", "--role", "clerk", "--region", "522301100200", "--own-password"],
        Some(&format!("{PASSWORD}\n")),
    );
    let mut server = Server::start(&url, dir.path());
    let client = reqwest::Client::new();
    let token = common::login(&client, &server.base, "mz_dept", PASSWORD).await;
    let analyze = format!("{}/api/v1/forms/analyze", server.base);
    let cleanup = format!("{}/api/v1/forms/cleanup", server.base);
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let pid = server.child.id();
    let base_memory = server.limit.peak(pid);

    // 1. A long header merged over A1:ALL8000 (8 million cells; beyond what a form may span
    //    now: 413), and over A1:ALL4000 (4 million, within it: the merge is looked through).
    for (chars, rows, expected) in [(1000, 8000, 413), (1000, 4000, 422), (100, 4000, 422)] {
        let form = header_merged_over_millions(chars, rows);
        assert!(form.len() < 4096, "a small file: {} bytes", form.len());
        let (status, code, took) = post(client.clone(), analyze.clone(), token.clone(), xlsx.to_owned(), form).await;
        eprintln!("a header of {chars} characters merged over {rows} rows × 1000 columns: {status} {code} in {took:?}");
        assert_eq!(status, expected, "{code}");
        server.assert_alive("the merged header");
    }

    // 3. An XLS whose cells at A1 and IV65536 span the whole sheet, four at once.
    let far = xls(&[(0, 0, XlsCell::Text("村名")), (65_535, 255, XlsCell::Number(1.0))]);
    assert!(far.len() < 10_000, "{} bytes", far.len());
    let refusals: Vec<_> = (0..4)
        .map(|_| {
            tokio::spawn(post(
                client.clone(),
                analyze.clone(),
                token.clone(),
                "application/vnd.ms-excel".to_owned(),
                far.clone(),
            ))
        })
        .collect();
    for refusal in refusals {
        let (status, code, took) = refusal.await.unwrap();
        eprintln!("XLS spanning the sheet: {status} {code} in {took:?}");
        assert!(status == 413 || status == 429, "{status} {code}");
    }
    server.assert_alive("the far-cell XLS");

    // 2. Clean-ups of many ZIP bombs (each inflating to 256 MiB): 24 in one request, then four
    //    requests of eight at once.
    let bomb = zip_bomb(1, 256);
    assert!(bomb.len() < 600_000, "{} bytes", bomb.len());
    let (content_type, body) = multipart(&vec![bomb.clone(); 24]);
    let (status, code, took) = post(client.clone(), cleanup.clone(), token.clone(), content_type, body).await;
    eprintln!("24 ZIP bombs in one clean-up ({} KiB): {status} {code} in {took:?}", bomb.len() * 24 / 1024);
    assert_eq!((status, code.as_str()), (413, "file_too_large"));
    server.assert_alive("24 ZIP bombs");
    let (content_type, body) = multipart(&vec![bomb; 8]);
    let batches: Vec<_> = (0..4)
        .map(|_| tokio::spawn(post(client.clone(), cleanup.clone(), token.clone(), content_type.clone(), body.clone())))
        .collect();
    // Meanwhile another user is answered.
    let ready = client.get(format!("{}/readyz", server.base)).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let mut refused = 0;
    for batch in batches {
        let (status, code, took) = batch.await.unwrap();
        eprintln!("8 ZIP bombs, 4 requests at once: {status} {code} in {took:?}");
        assert!(status == 413 || status == 429, "{status} {code}");
        refused += usize::from(status == 429);
    }
    eprintln!("{refused} of 4 told to come back (two upload turns)");
    server.assert_alive("4 × 8 ZIP bombs");

    // 4. Staff sheets (批量导入账户): a 512 MiB ZIP bomb sent as XLSX, and more people than one
    //    sheet may hold — refused before the rows are built.
    let admin = common::login(&client, &server.base, "ops_admin", PASSWORD).await;
    let accounts = format!("{}/api/v1/users/import?dry_run=true", server.base);
    let (status, code, took) =
        post(client.clone(), accounts.clone(), admin.clone(), xlsx.to_owned(), zip_bomb(1, 512)).await;
    eprintln!("a ZIP bomb as a staff sheet: {status} {code} in {took:?}");
    assert_eq!(status, 413, "{code}");
    let crowd: String = std::iter::once("用户名,角色,所辖地区\n".to_owned())
        .chain((0..6_000).map(|i| format!("u{i},clerk,522301100200\n")))
        .collect();
    let (status, code, took) = post(client.clone(), accounts, admin, "text/csv".to_owned(), crowd.into_bytes()).await;
    eprintln!("a staff sheet of 6,000 people: {status} {code} in {took:?}");
    assert_eq!(status, 413, "{code}");
    server.assert_alive("hostile staff sheets");

    // 5. A village's register list (导入台账): the same ZIP bomb, as the clerk's 低保 list.
    let clerk = common::login(&client, &server.base, "wjp_clerk", PASSWORD).await;
    let list = format!("{}/api/v1/registers/REG.DIBAO/imports?village=522301100200&dry_run=true", server.base);
    let (status, code, took) = post(client.clone(), list, clerk, xlsx.to_owned(), zip_bomb(1, 512)).await;
    eprintln!("a ZIP bomb as a register list: {status} {code} in {took:?}");
    assert_eq!(status, 413, "{code}");
    server.assert_alive("a hostile register list");

    // 6. A department's supply file (数据回流): the same ZIP bomb pushed under an approved supply.
    let admin = common::login(&client, &server.base, "ops_admin", PASSWORD).await;
    let filed: serde_json::Value = client
        .post(format!("{}/api/v1/supplies", server.base))
        .bearer_auth(&token)
        .json(&serde_json::json!({"indicators": ["SOC.TEKUN_PERSONS"], "region": "5223", "purpose": "特困供养人员数据回流",
            "source_system": "民政救助业务系统", "refresh": "monthly"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let supply = filed["id"].as_i64().unwrap_or_else(|| panic!("{filed}"));
    let approved = client
        .post(format!("{}/api/v1/supplies/{supply}/approve", server.base))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), 200);
    let values = format!("{}/api/v1/supplies/{supply}/values?as_of=2026-11-30", server.base);
    let (status, code, took) = post(client.clone(), values, token.clone(), xlsx.to_owned(), zip_bomb(1, 512)).await;
    eprintln!("a ZIP bomb as a supply file: {status} {code} in {took:?}");
    assert_eq!(status, 413, "{code}");
    server.assert_alive("a hostile supply file");

    let (status, _, _) = post(
        client.clone(),
        analyze,
        token.clone(),
        "text/csv".to_owned(),
        "村名,户籍人口\n纳晓村,900\n".as_bytes().to_vec(),
    )
    .await;
    assert_eq!(status, 200, "an honest form is still analyzed");
    let peak = server.limit.peak(pid);
    eprintln!("peak memory {} MiB (after start-up {} MiB; limit {} MiB)", peak >> 20, base_memory >> 20, LIMIT >> 20);
    assert!(peak < LIMIT / 2, "peak {} MiB: the reads are not bounded", peak >> 20);
}
