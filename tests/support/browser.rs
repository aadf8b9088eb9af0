//! Pages in a real browser: headless Chromium driven over WebDriver (chromedriver) by fantoccini.
//! A test asks for a [`Browser`]; without a Chromium on the machine it is skipped with a line on
//! stderr — unless `ONETABLE_REQUIRE_BROWSER` is set (CI sets it), when it fails.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// A phone (360 × 640, the issue's size), a desktop window, or a wall screen (大屏, 1920 × 1080).
#[derive(Debug, Clone, Copy)]
pub enum Window {
    Phone,
    Desktop,
    Wall,
}

impl Window {
    const fn size(self) -> (u32, u32) {
        match self {
            Self::Phone => (360, 640),
            Self::Desktop => (1280, 800),
            Self::Wall => (1920, 1080),
        }
    }
}

/// One chromedriver with one headless Chromium session; both end when it is dropped.
pub struct Browser {
    pub client: Client,
    driver: Child,
    driver_url: String,
    _profile: tempfile::TempDir,
    /// Where the files the pages download are saved.
    downloads: tempfile::TempDir,
}

fn find(env: &str, candidates: &[&str]) -> Option<PathBuf> {
    std::env::var_os(env)
        .map(PathBuf::from)
        .into_iter()
        .chain(candidates.iter().map(PathBuf::from))
        .find(|p| p.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

impl Browser {
    /// A browser, or `None` (the test is skipped) when no Chromium is installed.
    ///
    /// # Panics
    /// When `ONETABLE_REQUIRE_BROWSER` is set and there is none, or the browser does not start.
    pub async fn start(window: Window) -> Option<Self> {
        let chromium = find("ONETABLE_CHROMIUM", &["/usr/bin/chromium", "/usr/bin/chromium-browser"]);
        let driver = find("ONETABLE_CHROMEDRIVER", &["/usr/bin/chromedriver"]);
        let (Some(chromium), Some(driver)) = (chromium, driver) else {
            assert!(
                std::env::var_os("ONETABLE_REQUIRE_BROWSER").is_none(),
                "ONETABLE_REQUIRE_BROWSER is set but no chromium and chromedriver were found"
            );
            eprintln!("skipped: no Chromium (apt-get install chromium chromium-driver)");
            return None;
        };
        let port = free_port();
        let driver = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().expect("profile dir");
        let downloads = tempfile::tempdir().expect("downloads dir");
        let (width, height) = window.size();
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".to_owned(),
            json!({
                "binary": chromium.to_string_lossy(),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--lang=zh-CN", "--hide-scrollbars", "--force-device-scale-factor=1",
                    format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": {
                    "download.default_directory": downloads.path().display().to_string(),
                    "download.prompt_for_download": false,
                },
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector).capabilities(capabilities.clone()).connect(&url).await {
                Ok(client) => break client,
                Err(e) if Instant::now() > deadline => panic!("chromedriver did not start: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        // The viewport, not the window, is what a page lays out in.
        let (inner_w, inner_h): (u32, u32) = {
            let v = client.execute("return [innerWidth, innerHeight]", vec![]).await.expect("viewport");
            (v[0].as_u64().unwrap_or(0) as u32, v[1].as_u64().unwrap_or(0) as u32)
        };
        client
            .set_window_size(width + (width - inner_w.min(width)), height + (height - inner_h.min(height)))
            .await
            .expect("window size");
        Some(Self { client, driver, driver_url: url, _profile: profile, downloads })
    }

    /// What axe-core (vendored for the tests, `tests/support/vendor/`) finds wrong with the page
    /// as it is, of `impacts` (`critical`, `serious`, …): `rule (impact): n × selector`, one per
    /// rule. axe is put into the page through WebDriver, which the page's CSP does not govern.
    pub async fn axe_violations(&self, impacts: &[&str]) -> Vec<String> {
        const AXE: &str = include_str!("vendor/axe-core-4.11.0/axe.min.js");
        self.client.execute(&format!("{AXE}\n;return typeof axe;"), vec![]).await.expect("axe loads");
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] }).then((r) => done(r.violations.map((v) =>
                   [v.id, v.impact, v.nodes.length, v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')])));",
                vec![],
            )
            .await
            .expect("axe runs");
        let found: Vec<(String, Option<String>, u64, String)> = serde_json::from_value(found).expect("violations");
        found
            .into_iter()
            .filter(|(_, impact, _, _)| impact.as_deref().is_some_and(|i| impacts.contains(&i)))
            .map(|(id, impact, n, nodes)| format!("{id} ({}): {n} × {nodes}", impact.unwrap_or_default()))
            .collect()
    }

    /// The file the page downloaded whose name ends with `suffix` (waited for up to 10 s): its
    /// name and bytes.
    ///
    /// # Panics
    /// When none arrives.
    pub async fn downloaded(&self, suffix: &str) -> (String, Vec<u8>) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let found = std::fs::read_dir(self.downloads.path())
                .expect("downloads dir")
                .filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| p.to_string_lossy().ends_with(suffix));
            if let Some(path) = found {
                // Chromium may show the file before it has written it: wait until it holds
                // something and stops growing.
                let bytes = std::fs::read(&path).expect("the downloaded file");
                tokio::time::sleep(Duration::from_millis(150)).await;
                let again = std::fs::read(&path).expect("the downloaded file");
                if !again.is_empty() && again.len() == bytes.len() {
                    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    return (name, again);
                }
            }
            assert!(Instant::now() < deadline, "no download ending {suffix} in {}", self.downloads.path().display());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Forgets the files downloaded so far.
    pub fn clear_downloads(&self) {
        for entry in std::fs::read_dir(self.downloads.path()).expect("downloads dir").filter_map(Result::ok) {
            let _ = std::fs::remove_file(entry.path());
        }
    }

    /// Cuts the page's network (as DevTools' "Offline" does) or brings it back, through
    /// chromedriver's network-conditions command.
    ///
    /// # Panics
    /// When chromedriver refuses.
    pub async fn set_offline(&self, offline: bool) {
        let session = self.client.session_id().await.expect("session id").expect("a session");
        let conditions = json!({"network_conditions": {
            "offline": offline, "latency": 0, "download_throughput": -1, "upload_throughput": -1,
        }});
        let response = reqwest::Client::new()
            .post(format!("{}/session/{session}/chromium/network_conditions", self.driver_url))
            .json(&conditions)
            .send()
            .await
            .expect("network conditions");
        assert!(response.status().is_success(), "chromedriver: {}", response.text().await.unwrap_or_default());
    }

    /// What breaks the phone layout on the page as it is: a horizontal scroll, and every visible
    /// control (link, button, input, select, textarea) smaller than 44 × 44 px, as `tag "text" w×h`.
    pub async fn phone_layout_problems(&self) -> Vec<String> {
        let script = r"
            const problems = [];
            const root = document.documentElement;
            if (root.scrollWidth > root.clientWidth) problems.push(`horizontal scroll: ${root.scrollWidth} > ${root.clientWidth}`);
            for (const e of document.querySelectorAll('a, button, input, select, textarea, summary')) {
                // A check box is hit through its label.
                const box = (e.type === 'checkbox' || e.type === 'radio') && e.closest('label');
                const r = (box || e).getBoundingClientRect();
                if (r.width === 0 && r.height === 0) continue;
                if (r.width < 44 || r.height < 44) {
                    problems.push(`${e.tagName.toLowerCase()} ${JSON.stringify((e.textContent || e.id).trim().slice(0, 20))} ${Math.round(r.width)}x${Math.round(r.height)}`);
                }
            }
            return problems;";
        let found = self.client.execute(script, vec![]).await.expect("layout check");
        serde_json::from_value(found).expect("a list")
    }

    /// Waits until `css` matches an element whose text contains `text` (up to 10 s).
    ///
    /// # Panics
    /// When it does not appear.
    pub async fn wait_for_text(&self, css: &str, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                if let Ok(found) = element.text().await {
                    if found.contains(text) {
                        return found;
                    }
                }
            }
            assert!(Instant::now() < deadline, "no {css} with text {text:?} on {}", self.page_text().await);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The page's visible text, for failure messages.
    pub async fn page_text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(e) => format!("(no body: {e})"),
        }
    }

    /// Types `text` into the input `css`.
    ///
    /// # Panics
    /// When there is no such input.
    pub async fn fill(&self, css: &str, text: &str) {
        let input = self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no {css}: {e}"));
        input.clear().await.expect("clear");
        input.send_keys(text).await.expect("type");
    }

    /// Clicks the element `css`.
    ///
    /// # Panics
    /// When there is no such element.
    pub async fn click(&self, css: &str) {
        let element = self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no {css}: {e}"));
        element.click().await.expect("click");
    }

    /// A real mouse click at (`x`, `y`) px from the top left corner of the element `css` — where
    /// a chart drew something.
    ///
    /// # Panics
    /// When there is no such element.
    pub async fn click_at(&self, css: &str, x: f64, y: f64) {
        use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
        let element = self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no {css}: {e}"));
        let (_, _, width, height) = element.rectangle().await.expect("its size");
        let mouse = MouseActions::new("mouse".to_owned())
            .then(PointerAction::MoveToElement { element, duration: None, x: x - width / 2.0, y: y - height / 2.0 })
            .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
            .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
        self.client.perform_actions(mouse).await.expect("click");
    }

    /// Saves a PNG of the viewport under `docs/screenshots/` when `ONETABLE_SCREENSHOTS` is set
    /// (the README's pictures are made this way).
    pub async fn screenshot(&self, name: &str) {
        if std::env::var_os("ONETABLE_SCREENSHOTS").is_none() {
            return;
        }
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }
}

impl Browser {
    /// Ends the session (and its Chromium) cleanly.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The session ends with its driver; killing it also ends the Chromium it started.
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
