//! `hunyin partner …`: this instance's signing key.

use super::PartnerCommand;
use crate::configuration::Settings;

pub(super) fn partner(settings: Settings, cmd: PartnerCommand) -> anyhow::Result<()> {
    use hunyin_partner::keys;
    match cmd {
        PartnerCommand::Keygen { out } => {
            let key = keys::generate().map_err(anyhow::Error::msg)?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(&out)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", out.display()))?;
            std::io::Write::write_all(&mut file, keys::private_to_pem(&key).as_bytes())?;
            println!("private key written to {}", out.display());
            println!("public key (send it to the partner regions):");
            println!("{}", keys::public_to_text(&key.verifying_key()));
        }
        PartnerCommand::PublicKey => {
            let file = settings.partner.private_key_file.trim();
            if file.is_empty() {
                anyhow::bail!("`partner.private_key_file` is not set");
            }
            let pem = std::fs::read_to_string(file)
                .map_err(|e| anyhow::anyhow!("cannot read {file}: {e}"))?;
            let key = keys::private_from_pem(&pem).map_err(anyhow::Error::msg)?;
            println!("{}", keys::public_to_text(&key.verifying_key()));
        }
    }
    Ok(())
}
