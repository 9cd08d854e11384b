//! The world of the reads server: the partner protocol on, with the bench's key trusted as
//! peer "henan", and one couple registered through the registrar's routes, so that a signed
//! partner read has a certificate to find.

use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use serde_json::{json, Value};

use crate::cli::Opts;
use crate::instances::{run_cli, Db, Server};
use crate::load::{client, json_of};
use crate::people::{birth_of, couple, person};
use crate::{inprocess, text, Res};

/// The couple that gets registered.
const COUPLE: u64 = 7;

/// Writes the server's own key and a configuration that trusts `henan` (ours) for
/// registration status queries; returns the configuration's path.
pub fn write_config(dir: &Path, henan: &SigningKey) -> Res<PathBuf> {
    let own = inprocess::new_key()?;
    let key_path = dir.join("reads-key.pem");
    std::fs::write(&key_path, inprocess::private_pem(&own)).map_err(text)?;
    let config = dir.join("reads.toml");
    std::fs::write(&config, format!(
        "[partner]\nkey_id = \"jiangsu-bench\"\nprivate_key_file = \"{}\"\n[[partner.peers]]\nname = \"henan\"\nprefixes = [\"41\"]\n\
         base_url = \"http://127.0.0.1:9\"\nkey_id = \"henan-bench\"\npublic_key = \"{}\"\noperations = [\"registration_status\"]\n",
        key_path.display(), inprocess::public_text(henan))).map_err(text)?;
    Ok(config)
}

/// Migrates `db` and puts the residents of the household export `residents` in the register
/// and a registrar "bench" in 姑苏, through the binary's own commands.
pub fn prepare(o: &Opts, db: &Db, config: &Path, residents: &Path) -> Res<()> {
    let cli = |args: &[&str], stdin| run_cli(&o.bin, config, db, args, stdin);
    cli(&["migrate"], None)?;
    let as_of = hunyin_app::clock::today().to_string();
    cli(
        &[
            "household",
            "import",
            residents.to_str().unwrap(),
            "--as-of",
            &as_of,
        ],
        None,
    )?;
    let registrar = "staff add --office sz-gusu --role registrar --username bench --name 测";
    let args: Vec<&str> = registrar.split(' ').collect();
    cli(&args, Some("bench-password\n"))
}

/// The couple as unmarried residents of 姑苏, in the household import's CSV.
pub fn write_residents(dir: &Path) -> Res<PathBuf> {
    let (he, she) = (person(COUPLE, true), person(COUPLE, false));
    let csv_path = dir.join("reads-residents.csv");
    std::fs::write(&csv_path, format!(
        "id_number,name,sex,birth_date,hukou_division_code,marital_status\n{he},王强,male,{},320508,unmarried\n{she},李娜,female,{},320508,unmarried\n",
        birth_of(&he), birth_of(&she))).map_err(text)?;
    Ok(csv_path)
}

/// Registers the couple as registrar "bench": walk-in, household check, both declarations,
/// registration. Returns the certificate number.
pub async fn register_couple(server: &Server) -> Res<String> {
    let registrar = Registrar::sign_in(server).await?;
    let walk = registrar
        .post(
            "/v1/registrar/offices/sz-gusu/walk-ins",
            json!({"parties": couple(COUPLE)}),
        )
        .await?;
    let r = walk["reference"]
        .as_str()
        .ok_or(format!("walk-in: {walk}"))?
        .to_owned();
    let application = format!("/v1/registrar/applications/{r}");
    registrar
        .post(&format!("{application}/household-checks"), json!({}))
        .await?;
    for p in 0..2 {
        let declaration = json!({"party": p, "no_spouse": true, "no_prohibited_kinship": true, "voluntary": true});
        registrar
            .post(&format!("{application}/declarations"), declaration)
            .await?;
    }
    let reg = registrar
        .post(
            &format!("{application}/registration"),
            json!({"both_parties_present": true}),
        )
        .await?;
    let number = reg["certificate_number"]
        .as_str()
        .ok_or(format!("registration: {reg}"))?;
    Ok(number.to_owned())
}

/// A signed-in registrar ("bench") of a server.
pub struct Registrar<'a> {
    server: &'a Server,
    client: reqwest::Client,
    token: String,
}

impl<'a> Registrar<'a> {
    pub async fn sign_in(server: &'a Server) -> Res<Registrar<'a>> {
        let client = client();
        let session = json_of(
            client
                .post(server.url("/v1/registrar/sessions"))
                .json(&json!({"username": "bench", "password": "bench-password"})),
        )
        .await?;
        let token = session["token"].as_str().unwrap_or_default().to_owned();
        Ok(Registrar {
            server,
            client,
            token,
        })
    }

    /// POSTs `body` to `path` and returns the answer, whatever its status.
    pub async fn post(&self, path: &str, body: Value) -> Res<Value> {
        let req = self.client.post(self.server.url(path));
        json_of(req.bearer_auth(&self.token).json(&body)).await
    }

    /// POSTs `body` to `path`: the status and the error `code` of a problem ("200",
    /// "503 database_unavailable"), or "connection error".
    pub async fn outcome(&self, path: &str, body: Value) -> String {
        let req = self.client.post(self.server.url(path));
        let Ok(r) = req.bearer_auth(&self.token).json(&body).send().await else {
            return "connection error".into();
        };
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        match body["code"].as_str() {
            Some(code) if status >= 400 => format!("{status} {code}"),
            _ => status.to_string(),
        }
    }
}
