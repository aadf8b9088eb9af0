//! The web pages for people (页面): every person's pages — the clerk's home and form (offline too),
//! the reviewer's queue, the dashboards, the department's data requests and the legacy-form
//! analyzer, the admin's registry, users (one by one or a staff sheet), earlier years and burden
//! pages, the due dates and reminders, the printable form, the password page, the village's registers (台账), the auditor's
//! trail — as static HTML,
//! CSS and ES modules embedded in the binary. They hold no rule of their own: every page is a
//! client of the documented REST API, so department systems and the pages see the same rules.
//! No build step: what is in `assets/` is what the browser runs; the one third-party library
//! (Apache ECharts, for the dashboard) is vendored unchanged under `assets/vendor/`.

/// One embedded file.
#[derive(Debug)]
pub struct Asset {
    /// Where it is served, e.g. `/assets/js/api.js`.
    pub path: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

impl Asset {
    /// A hash of the bytes (FNV-1a), for `ETag`: computed once for every asset, at first use
    /// (at compile time it would exceed the const evaluator's budget on the charting library).
    #[must_use]
    pub fn etag(&self) -> u64 {
        static ETAGS: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
        let etags = ETAGS.get_or_init(|| ASSETS.iter().map(|a| fnv1a(a.bytes)).collect());
        ASSETS.iter().position(|a| std::ptr::eq(a, self)).map_or_else(|| fnv1a(self.bytes), |i| etags[i])
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash: u64, &b| (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

const fn asset(path: &'static str, content_type: &'static str, bytes: &'static [u8]) -> Asset {
    Asset { path, content_type, bytes }
}

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// Every page and asset, by the path it is served at.
pub static ASSETS: &[Asset] = &[
    asset("/", HTML, include_bytes!("../assets/index.html")),
    asset("/login", HTML, include_bytes!("../assets/login.html")),
    asset("/form", HTML, include_bytes!("../assets/form.html")),
    asset("/dashboard", HTML, include_bytes!("../assets/dashboard.html")),
    asset("/requests", HTML, include_bytes!("../assets/requests.html")),
    asset("/audit", HTML, include_bytes!("../assets/audit.html")),
    asset("/registry", HTML, include_bytes!("../assets/registry.html")),
    asset("/users", HTML, include_bytes!("../assets/users.html")),
    asset("/burden", HTML, include_bytes!("../assets/burden.html")),
    asset("/forms", HTML, include_bytes!("../assets/forms.html")),
    asset("/password", HTML, include_bytes!("../assets/password.html")),
    asset("/print", HTML, include_bytes!("../assets/print.html")),
    asset("/imports", HTML, include_bytes!("../assets/imports.html")),
    asset("/registers", HTML, include_bytes!("../assets/registers.html")),
    asset("/assets/js/registers.js", JS, include_bytes!("../assets/js/registers.js")),
    asset("/assets/js/register_record.js", JS, include_bytes!("../assets/js/register_record.js")),
    asset("/assets/js/record_outbox.js", JS, include_bytes!("../assets/js/record_outbox.js")),
    asset("/assets/js/form_supplied.js", JS, include_bytes!("../assets/js/form_supplied.js")),
    asset("/assets/js/supplies.js", JS, include_bytes!("../assets/js/supplies.js")),
    asset("/assets/js/form_quality.js", JS, include_bytes!("../assets/js/form_quality.js")),
    asset("/assets/js/subscriptions.js", JS, include_bytes!("../assets/js/subscriptions.js")),
    asset("/assets/js/register_import.js", JS, include_bytes!("../assets/js/register_import.js")),
    asset("/assets/js/request_registers.js", JS, include_bytes!("../assets/js/request_registers.js")),
    asset("/assets/js/register_types.js", JS, include_bytes!("../assets/js/register_types.js")),
    asset("/assets/js/imports.js", JS, include_bytes!("../assets/js/imports.js")),
    asset("/assets/print.css", CSS, include_bytes!("../assets/print.css")),
    asset("/assets/js/print.js", JS, include_bytes!("../assets/js/print.js")),
    asset("/assets/app.css", CSS, include_bytes!("../assets/app.css")),
    asset("/assets/js/api.js", JS, include_bytes!("../assets/js/api.js")),
    asset("/assets/js/page.js", JS, include_bytes!("../assets/js/page.js")),
    asset("/assets/js/login.js", JS, include_bytes!("../assets/js/login.js")),
    asset("/assets/js/next.js", JS, include_bytes!("../assets/js/next.js")),
    asset("/assets/js/password.js", JS, include_bytes!("../assets/js/password.js")),
    asset("/assets/js/users_import.js", JS, include_bytes!("../assets/js/users_import.js")),
    asset("/assets/js/home.js", JS, include_bytes!("../assets/js/home.js")),
    asset("/assets/js/timeliness.js", JS, include_bytes!("../assets/js/timeliness.js")),
    asset("/assets/js/labels.js", JS, include_bytes!("../assets/js/labels.js")),
    asset("/assets/js/fields.js", JS, include_bytes!("../assets/js/fields.js")),
    asset("/assets/js/form.js", JS, include_bytes!("../assets/js/form.js")),
    asset("/assets/js/form_state.js", JS, include_bytes!("../assets/js/form_state.js")),
    asset("/assets/js/form_save.js", JS, include_bytes!("../assets/js/form_save.js")),
    asset("/assets/js/form_submit.js", JS, include_bytes!("../assets/js/form_submit.js")),
    asset("/assets/js/form_review.js", JS, include_bytes!("../assets/js/form_review.js")),
    asset("/assets/js/relogin.js", JS, include_bytes!("../assets/js/relogin.js")),
    asset("/assets/js/field_history.js", JS, include_bytes!("../assets/js/field_history.js")),
    asset("/assets/js/outbox.js", JS, include_bytes!("../assets/js/outbox.js")),
    asset("/assets/js/offline.js", JS, include_bytes!("../assets/js/offline.js")),
    asset("/assets/js/numbers.js", JS, include_bytes!("../assets/js/numbers.js")),
    asset("/assets/js/charts.js", JS, include_bytes!("../assets/js/charts.js")),
    asset("/assets/js/dashboard.js", JS, include_bytes!("../assets/js/dashboard.js")),
    asset("/assets/js/board.js", JS, include_bytes!("../assets/js/board.js")),
    asset("/assets/js/saved.js", JS, include_bytes!("../assets/js/saved.js")),
    asset("/assets/js/compose.js", JS, include_bytes!("../assets/js/compose.js")),
    asset("/assets/js/requests.js", JS, include_bytes!("../assets/js/requests.js")),
    asset("/assets/js/request_form.js", JS, include_bytes!("../assets/js/request_form.js")),
    asset("/assets/js/region_picker.js", JS, include_bytes!("../assets/js/region_picker.js")),
    asset("/assets/js/clients.js", JS, include_bytes!("../assets/js/clients.js")),
    asset("/assets/js/audit.js", JS, include_bytes!("../assets/js/audit.js")),
    asset("/assets/js/registry.js", JS, include_bytes!("../assets/js/registry.js")),
    asset("/assets/js/indicator_form.js", JS, include_bytes!("../assets/js/indicator_form.js")),
    asset("/assets/js/users.js", JS, include_bytes!("../assets/js/users.js")),
    asset("/assets/js/burden.js", JS, include_bytes!("../assets/js/burden.js")),
    asset("/assets/js/analyzer.js", JS, include_bytes!("../assets/js/analyzer.js")),
    asset("/assets/js/analyzer_columns.js", JS, include_bytes!("../assets/js/analyzer_columns.js")),
    asset("/assets/js/analyzer_actions.js", JS, include_bytes!("../assets/js/analyzer_actions.js")),
    asset("/assets/js/analyzer_templates.js", JS, include_bytes!("../assets/js/analyzer_templates.js")),
    asset("/assets/js/analyzer_batch.js", JS, include_bytes!("../assets/js/analyzer_batch.js")),
    asset("/assets/js/proposals.js", JS, include_bytes!("../assets/js/proposals.js")),
    // Apache ECharts 6.1.0, unchanged (see assets/vendor/echarts-6.1.0/README.md).
    asset(
        "/assets/vendor/echarts-6.1.0/echarts.common.min.js",
        JS,
        include_bytes!("../assets/vendor/echarts-6.1.0/echarts.common.min.js"),
    ),
    asset("/sw.js", JS, include_bytes!("../assets/sw.js")),
    // 一 on blue, 32 × 32 (a PNG in an ICO): browsers ask for it on every site.
    asset("/favicon.ico", "image/x-icon", include_bytes!("../assets/favicon.ico")),
];

/// The page or asset served at `path`.
#[must_use]
pub fn find(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|asset| asset.path == path)
}

/// The Content-Security-Policy of every page: nothing but our own origin, no inline script or
/// style, no framing.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_is_found_at_its_path_and_pages_load_no_inline_script() {
        for asset in ASSETS {
            assert!(std::ptr::eq(find(asset.path).unwrap(), asset));
            let Ok(text) = std::str::from_utf8(asset.bytes) else {
                assert!(asset.content_type.starts_with("image/"), "{} is not text", asset.path);
                continue;
            };
            if asset.content_type == HTML {
                // A strict CSP refuses inline script; a page that had one would break silently.
                assert!(!text.contains("<script>"), "{} has an inline script", asset.path);
                for handler in [" onclick=", " onload=", " onerror=", " onsubmit=", " onchange=", " oninput="] {
                    assert!(!text.contains(handler), "{} has an inline handler", asset.path);
                }
                for src in text.split("src=\"").skip(1) {
                    let src = src.split('"').next().unwrap();
                    assert!(find(src).is_some(), "{} loads {src}, which is not embedded", asset.path);
                }
            }
        }
        assert!(find("/nope").is_none());
    }

    #[test]
    fn every_module_a_script_imports_is_embedded() {
        for asset in ASSETS.iter().filter(|a| a.content_type == JS && a.path.starts_with("/assets/js/")) {
            let text = std::str::from_utf8(asset.bytes).unwrap();
            for import in text.split("from './").skip(1) {
                let file = import.split('\'').next().unwrap();
                assert!(
                    find(&format!("/assets/js/{file}")).is_some(),
                    "{} imports {file}, which is not embedded",
                    asset.path
                );
            }
        }
    }

    /// The pages that open offline (the home page, the form, the registers) load every module they import from
    /// the service worker's cache: a module missing there breaks the page without a network.
    #[test]
    fn every_module_an_offline_page_imports_is_in_the_service_workers_shell() {
        let sw = std::str::from_utf8(find("/sw.js").unwrap().bytes).unwrap();
        let mut todo =
            vec!["login.js".to_owned(), "home.js".to_owned(), "form.js".to_owned(), "registers.js".to_owned()];
        let mut seen = Vec::new();
        while let Some(file) = todo.pop() {
            if seen.contains(&file) {
                continue;
            }
            let asset = find(&format!("/assets/js/{file}")).unwrap();
            assert!(sw.contains(&format!("'/assets/js/{file}'")), "sw.js does not cache {file}");
            let text = std::str::from_utf8(asset.bytes).unwrap();
            todo.extend(text.split("from './").skip(1).map(|i| i.split('\'').next().unwrap().to_owned()));
            seen.push(file);
        }
    }

    /// A file in `assets/` that is not embedded is a page that breaks on a 404.
    #[test]
    fn every_file_in_the_assets_folder_is_embedded() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
        let mut folders = vec![root.clone()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    folders.push(path);
                    continue;
                }
                let name = path.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
                let embedded = ASSETS.iter().any(|a| {
                    a.path.ends_with(&format!("/{name}")) || a.path == format!("/{}", name.trim_end_matches(".html"))
                }) || name == "index.html"
                    || name.starts_with("vendor/") && !name.ends_with(".js");
                assert!(embedded, "assets/{name} is not embedded");
            }
        }
    }
}
