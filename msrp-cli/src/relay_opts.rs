//! The relay flags of `send`, `listen` and `chat`: go through an MSRP relay (RFC 4976),
//! authenticating with AUTH and HTTP Digest first.

use clap::Args;
use msrp_proto::auth::Credentials;
use msrp_tokio::Relay;
use msrp_tokio::uri::Uri;

/// The environment variable read for the password when `--password` is not given (a
/// password on the command line is visible to other users in `ps`).
pub(crate) const PASSWORD_ENV: &str = "MSRP_RELAY_PASSWORD";

/// `--relay URI --user U --password P`.
#[derive(Debug, Clone, Args)]
pub(crate) struct RelayArgs {
    /// Go through this MSRP relay (RFC 4976): connect to it and AUTH (Digest) first, then
    /// put its Use-Path in the session's path (msrps:// relays over TLS, with --tls-ca).
    #[arg(long, value_name = "URI")]
    relay: Option<String>,
    /// The user name for the relay's Digest challenge.
    #[arg(long, value_name = "USER", requires = "relay")]
    user: Option<String>,
    /// The password for the relay (default: the MSRP_RELAY_PASSWORD environment variable).
    #[arg(long, value_name = "PASSWORD", requires = "relay")]
    password: Option<String>,
}

impl RelayArgs {
    /// The relay asked for, if any.
    pub(crate) fn relay(&self) -> Result<Option<Relay>, String> {
        let Some(text) = &self.relay else {
            return Ok(None);
        };
        let uri: Uri = text
            .parse()
            .map_err(|e| format!("--relay {text}: not an MSRP URI: {e}"))?;
        let user = self.user.clone().unwrap_or_else(|| "anonymous".into());
        let password = match &self.password {
            Some(p) => p.clone(),
            None => std::env::var(PASSWORD_ENV).unwrap_or_default(),
        };
        Ok(Some(Relay::new(uri, Credentials::new(&user, &password))))
    }
}
