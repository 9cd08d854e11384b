//! The database file, its WAL and shared-memory files and the mail files are readable by their
//! owner only, whatever the umask.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;

use crate::support::{eventually, nth_couple, spawn_app_on, TestDb};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test]
async fn database_and_mail_files_are_readable_by_the_owner_only() {
    let db = Arc::new(TestDb::create_sqlite());
    let TestDb::Sqlite { dir, .. } = &*db else {
        unreachable!()
    };
    let (data, mail) = (dir.join("data"), dir.join("mail"));
    let url = format!("sqlite://{}", data.join("hunyin.db").display());
    let mail_s = mail.display().to_string();
    let app = spawn_app_on(db.clone(), &url, |s| s.mail.file_dir = mail_s.clone());
    let slot = app.first_slot("sz-gusu").await;
    // The hold's confirmation links are the first mail.
    assert_eq!(
        app.book("sz-gusu", &slot, nth_couple(91)).await.status(),
        201
    );
    let eml = |d: &Path| -> Vec<std::path::PathBuf> {
        std::fs::read_dir(d)
            .map(|r| r.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default()
    };
    eventually("the confirmation in the mail folder", || {
        eml(&mail)
            .iter()
            .any(|p| p.extension().is_some_and(|x| x == "eml"))
    })
    .await;
    for d in [&data, &mail] {
        assert_eq!(mode(d), 0o700, "{}", d.display());
    }
    for name in ["hunyin.db", "hunyin.db-wal", "hunyin.db-shm"] {
        let f = data.join(name);
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
    for f in eml(&mail) {
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
}
