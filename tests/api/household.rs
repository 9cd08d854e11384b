//! The household register import, and household checks of an application's parties.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::support::binary::{hunyin, TempDir};
use crate::support::fixtures::with_check_character;
use crate::support::{
    add_residents, id_number, marital_status, nth_couple, nth_person, party, problem, spawn_app,
    today, Counter, TestDb,
};

/// Writes `rows` as an export CSV and returns its path.
fn write_csv(dir: &Path, rows: &[String]) -> PathBuf {
    let path = dir.join("register.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(
        f,
        "id_number,name,sex,birth_date,hukou_division_code,marital_status"
    )
    .unwrap();
    for r in rows {
        writeln!(f, "{r}").unwrap();
    }
    path
}

/// The `n`th generated resident of 苏州 姑苏区: unique by (birth date, sequence).
fn resident(n: u32) -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap()
        + chrono::Duration::days(i64::from(n % 20_000));
    let seq = n / 20_000 * 2 + n % 2; // parity carries the sex
    let id = with_check_character(&format!("320508{}{:03}", birth.format("%Y%m%d"), seq));
    let sex = if seq % 2 == 1 { "male" } else { "female" };
    format!(
        "{id},居民{n},{sex},{},320508,unmarried",
        birth.format("%Y-%m-%d")
    )
}

/// Runs `household import` of `file`, an export of today: success, standard output, standard
/// error.
fn import(dir: &Path, db: &TestDb, file: &Path) -> (bool, String, String) {
    import_as_of(dir, db, file, &[&today()])
}

/// Runs `household import` of `file` with `as_of` (the `--as-of` value, or nothing).
fn import_as_of(dir: &Path, db: &TestDb, file: &Path, as_of: &[&str]) -> (bool, String, String) {
    let file = file.display().to_string();
    let mut args = vec!["household", "import", &file];
    if let Some(date) = as_of.first() {
        args.extend(["--as-of", date]);
    }
    let out = hunyin(dir, &args, &[("APP__DATABASE__URL", db.url())]);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn importing_100000_rows_then_again_changes_nothing_the_second_time() {
    let tmp = TempDir::new("hh");
    let dir = tmp.path();
    let db = TestDb::create();
    let rows: Vec<String> = (0..100_000).map(resident).collect();
    let file = write_csv(dir, &rows);
    let (ok, out, err) = import(dir, &db, &file);
    assert!(ok, "{err}");
    assert!(
        out.contains("100000 rows: 100000 inserted, 0 updated, 0 unchanged, 0 rejected"),
        "{out}"
    );
    let (ok, out, _) = import(dir, &db, &file);
    assert!(ok);
    assert!(
        out.contains("100000 rows: 0 inserted, 0 updated, 100000 unchanged, 0 rejected"),
        "{out}"
    );
}

#[test]
fn bad_rows_are_reported_with_their_line_and_the_rest_imported() {
    let tmp = TempDir::new("hh");
    let dir = tmp.path();
    let db = TestDb::create();
    let good = resident(1);
    let id = good.split(',').next().unwrap().to_owned();
    let rows = vec![
        good.clone(),
        "110105194912310021,张三,female,1949-12-31,320508,unmarried".into(), // check character
        resident(3).replace(",male,", ",female,"),                           // sex disagrees
        resident(5).replace(",320508,", ",410105,"),                         // another region
        good.clone(),                                                        // duplicate
        resident(7).replace(",unmarried", ",engaged"),                       // status
        resident(9).replace(",320508,", ",329999,"),                         // unknown code
        resident(2).replace(",unmarried", ",已婚"),                          // Chinese status ok
    ];
    let file = write_csv(dir, &rows);
    let (ok, out, err) = import(dir, &db, &file);
    assert!(ok, "{err}");
    assert!(
        out.contains("8 rows: 2 inserted, 0 updated, 0 unchanged, 6 rejected"),
        "{out}"
    );
    let report = std::fs::read_to_string(dir.join("register.csv.errors.csv")).unwrap();
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines[0], "row,reason");
    for (line, text) in [
        (3, "check character"),
        (4, "sex"),
        (5, "outside this region"),
        (6, "earlier"),
        (7, "marital_status"),
        (8, "hukou_division_code"),
    ] {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&format!("{line},")) && l.contains(text)),
            "line {line}: {report}"
        );
    }
    // A changed row is an update on the next import.
    let changed = vec![good.replace(",unmarried", ",married")];
    let file = write_csv(dir, &changed);
    let (_, out, _) = import(dir, &db, &file);
    assert!(
        out.contains("1 rows: 0 inserted, 1 updated"),
        "{out} for {id}"
    );
}

#[tokio::test]
async fn local_residents_are_checked_against_the_register() {
    let app = spawn_app().await;
    let desk = Counter::open(&app, "sz-gusu").await;
    let (m, w) = (nth_person(10, true), nth_person(10, false));
    add_residents(&app, &[(&m, "王强", "unmarried"), (&w, "李娜", "divorced")]);
    let reference = desk.walk_in(nth_couple(10)).await;
    let v = desk.run_checks(&reference).await;
    assert_eq!(v["cleared"], true, "{v}");
    assert_eq!(v["checks"][0]["source"], "local_register");
    assert_eq!(v["checks"][1]["marital_status"], "divorced");
}

#[tokio::test]
async fn a_married_or_unknown_or_misnamed_resident_fails_the_check() {
    let app = spawn_app().await;
    let desk = Counter::open(&app, "sz-gusu").await;
    let (m, w) = (nth_person(11, true), nth_person(11, false));
    add_residents(
        &app,
        &[(&m, "王强", "married"), (&w, "别的名字", "unmarried")],
    );
    let reference = desk.walk_in(nth_couple(11)).await;
    let v = desk.run_checks(&reference).await;
    assert_eq!(v["cleared"], false);
    assert_eq!(v["checks"][0]["reason"], "married");
    assert_eq!(v["checks"][1]["reason"], "name_mismatch");

    let other = desk.walk_in(nth_couple(12)).await;
    let v = desk.run_checks(&other).await;
    assert_eq!(v["checks"][0]["reason"], "not_in_register");
}

#[tokio::test]
async fn a_party_from_another_region_needs_a_manual_verification() {
    let app = spawn_app().await;
    let desk = Counter::open(&app, "sz-gusu").await;
    let w = nth_person(13, false);
    add_residents(&app, &[(&w, "李娜", "unmarried")]);
    let henan_man = id_number("410105", "19900101", true);
    let parties = json!([
        party(&henan_man, "王强", "410105", None),
        party(&w, "李娜", "320508", None),
    ]);
    let reference = desk.walk_in(parties).await;
    let v = desk.run_checks(&reference).await;
    assert_eq!(v["checks"][0]["outcome"], "unavailable");
    assert_eq!(v["checks"][0]["reason"], "no_partner_instance");
    assert_eq!(v["cleared"], false);

    let note = "户口簿首页及本人页，户号 410105-0001，金水派出所";
    let resp = desk.verify_manually(&reference, 0, "unmarried", note).await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["checks"][0]["source"], "manual");
    assert_eq!(v["cleared"], true);
    assert_eq!(
        v["history"].as_array().unwrap().len(),
        3,
        "the unavailable check is kept"
    );

    // A local party's passed check cannot be overridden by hand.
    let resp = desk
        .verify_manually(&reference, 1, "unmarried", "看过了")
        .await;
    assert_eq!(resp.status(), 409);
    assert_eq!(problem(resp).await["code"], "manual_not_allowed");
    let resp = desk.verify_manually(&reference, 3, "engaged", "").await;
    assert_eq!(resp.status(), 400);
    assert_eq!(
        problem(resp).await["invalid_params"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn checks_need_a_checked_in_application() {
    let app = spawn_app().await;
    let desk = Counter::open(&app, "sz-gusu").await;
    let slot = app.first_slot("sz-gusu").await;
    let booked = app.booked("sz-gusu", &slot, nth_couple(14)).await;
    let resp = desk
        .try_run_checks(booked["reference"].as_str().unwrap())
        .await;
    assert_eq!(resp.status(), 409);
    let p = problem(resp).await;
    assert_eq!(p["code"], "invalid_transition");
    assert_eq!(p["current_status"], "booked");
}

#[tokio::test]
async fn an_import_never_downgrades_a_status_a_registration_set_after_the_exports_date() {
    let app = spawn_app().await;
    let desk = Counter::open(&app, "sz-gusu").await;
    desk.registered(15).await;
    let woman = nth_person(15, false);
    assert_eq!(marital_status(&app, &woman), "married");
    let birth = format!("{}-{}-{}", &woman[6..10], &woman[10..12], &woman[12..14]);
    let tmp = TempDir::new("hh");
    let dir = tmp.path();
    let file = write_csv(
        dir,
        &[format!("{woman},李娜,female,{birth},320508,unmarried")],
    );

    // The export's date is required, and printed.
    let (ok, _, err) = import_as_of(dir, &app.db, &file, &[]);
    assert!(!ok && err.contains("--as-of"), "{err}");
    let yesterday = (chrono::NaiveDate::parse_from_str(&today(), "%Y-%m-%d").unwrap()
        - chrono::Duration::days(1))
    .to_string();
    let (ok, out, err) = import_as_of(dir, &app.db, &file, &[&yesterday]);
    assert!(ok, "{err}");
    assert!(out.contains(&format!("as of {yesterday}")), "{out}");
    assert!(
        out.contains("1 rows: 0 inserted, 0 updated, 0 unchanged, 0 rejected, 1 kept"),
        "{out}"
    );
    assert_eq!(marital_status(&app, &woman), "married");
    let report = std::fs::read_to_string(dir.join("register.csv.errors.csv")).unwrap();
    assert!(
        report.lines().any(|l| l.starts_with("2,")
            && l.contains("kept married")
            && l.contains("registration")),
        "{report}"
    );
}
