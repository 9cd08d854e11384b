//! Python tools some tests drive (an SMTP server, an independent RFC 9421 implementation).

/// Whether `python3` can import `modules` (comma-separated). When it cannot, the test skips,
/// unless the environment variable `require` is set (as `.ci/run` does), which fails it.
pub fn has_python_modules(modules: &str, pip_package: &str, require: &str) -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", &format!("import {modules}")])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var(require).is_err(),
            "{require} is set but Python cannot import {modules} (pip install {pip_package})"
        );
        eprintln!("skipped: Python cannot import {modules} (pip install {pip_package})");
    }
    ok
}

/// Runs the Python `script` with `job` as JSON on its standard input; its JSON answer.
pub fn run_python(script: &str, job: &serde_json::Value) -> serde_json::Value {
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(job.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "python: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
