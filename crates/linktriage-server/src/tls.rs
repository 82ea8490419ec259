//! TLS for `linktriage serve --tls-cert FILE --tls-key FILE`: PEM files,
//! rustls, HTTP/2 or HTTP/1.1 by ALPN, and the certificate read again
//! without a restart when either file changes (checked every two seconds,
//! which also catches a Kubernetes secret's swapped symlink) or on SIGHUP.
//! A file that does not read keeps the certificate being served and is
//! logged; at start it is an error naming the file.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use anyhow::{Context, bail};
use rustls::crypto::CryptoProvider;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::log;

/// Where the certificate chain and its key are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// The protocols offered, in the order preferred: browsers speak HTTP/2
/// only over TLS, and it lifts HTTP/1.1's six connections a host.
const ALPN: [&[u8]; 2] = [b"h2", b"http/1.1"];

/// How often the files are looked at for a change.
const LOOK_EVERY: Duration = Duration::from_secs(2);

/// The server's TLS: the acceptor every listener uses, and the certificate
/// it presents, which [`Tls::watch`] keeps current.
#[derive(Clone)]
pub struct Tls {
    pub acceptor: tokio_rustls::TlsAcceptor,
    certificate: Arc<Current>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("files", &self.certificate.files)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct Current {
    files: CertificateFiles,
    provider: Arc<CryptoProvider>,
    key: RwLock<Arc<CertifiedKey>>,
    /// The files' modification times and lengths when last read.
    seen: RwLock<Option<[(SystemTime, u64); 2]>>,
}

impl ResolvesServerCert for Current {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(Arc::clone(
            &self
                .key
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        ))
    }
}

impl Tls {
    /// Reads the files; an error names the file and what is wrong with it.
    pub fn new(files: CertificateFiles) -> anyhow::Result<Tls> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let seen = stamps(&files);
        let key = load(&files, &provider)?;
        let certificate = Arc::new(Current {
            files,
            provider: Arc::clone(&provider),
            key: RwLock::new(Arc::new(key)),
            seen: RwLock::new(seen),
        });
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .context("choosing TLS versions")?
            .with_no_client_auth()
            .with_cert_resolver(Arc::clone(&certificate) as Arc<dyn ResolvesServerCert>);
        config.alpn_protocols = ALPN.iter().map(|p| p.to_vec()).collect();
        Ok(Tls {
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
            certificate,
        })
    }

    /// Reads the files again, and serves what they hold from the next
    /// handshake on; on an error, the certificate served stays as it was.
    pub fn reload(&self) -> anyhow::Result<()> {
        let current = &self.certificate;
        let seen = stamps(&current.files);
        let key = load(&current.files, &current.provider)?;
        *current
            .key
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(key);
        *current
            .seen
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = seen;
        Ok(())
    }

    /// Whether either file has changed since it was last read.
    fn changed(&self) -> bool {
        let current = &self.certificate;
        let seen = *current
            .seen
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        stamps(&current.files) != seen
    }

    /// Keeps the certificate current until `stopping`: read again on
    /// SIGHUP, and when the files change.
    pub async fn watch(
        self,
        mut hangup: tokio::signal::unix::Signal,
        mut stopping: tokio::sync::watch::Receiver<bool>,
    ) {
        loop {
            let why = tokio::select! {
                _ = hangup.recv() => "SIGHUP",
                () = tokio::time::sleep(LOOK_EVERY) => {
                    if !self.changed() {
                        continue;
                    }
                    "the files changed"
                }
                () = crate::stopped(&mut stopping) => return,
            };
            match self.reload() {
                Ok(()) => log::info(
                    "tls-reload",
                    &format!(
                        "{why}: serving the certificate in {}",
                        self.certificate.files.cert.display()
                    ),
                ),
                Err(error) => log::error(
                    "tls-reload",
                    &format!("{why}: {error:#}; still serving the certificate read before"),
                ),
            }
        }
    }
}

fn stamps(files: &CertificateFiles) -> Option<[(SystemTime, u64); 2]> {
    let stamp = |path: &Path| {
        let meta = std::fs::metadata(path).ok()?;
        Some((meta.modified().ok()?, meta.len()))
    };
    Some([stamp(&files.cert)?, stamp(&files.key)?])
}

fn load(files: &CertificateFiles, provider: &CryptoProvider) -> anyhow::Result<CertifiedKey> {
    let read = |path: &Path| {
        std::fs::read(path).with_context(|| format!("{}: cannot read it", path.display()))
    };
    let cert_pem = read(&files.cert)?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow::anyhow!("{}: not a PEM certificate ({e})", files.cert.display()))?;
    if chain.is_empty() {
        bail!(
            "{}: no certificate in it (a PEM file with -----BEGIN CERTIFICATE-----)",
            files.cert.display()
        );
    }
    let key = PrivateKeyDer::from_pem_slice(&read(&files.key)?).map_err(|e| {
        anyhow::anyhow!(
            "{}: no private key in it (a PEM file with -----BEGIN PRIVATE KEY-----): {e}",
            files.key.display()
        )
    })?;
    CertifiedKey::from_der(chain, key, provider).map_err(|e| {
        anyhow::anyhow!(
            "{} and {}: the key does not fit the certificate ({e})",
            files.key.display(),
            files.cert.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/tls")
            .join(name)
    }

    fn files(cert: &str, key: &str) -> CertificateFiles {
        CertificateFiles {
            cert: fixture(cert),
            key: fixture(key),
        }
    }

    #[test]
    fn a_certificate_and_its_key_load() {
        assert!(Tls::new(files("first.pem", "first.key")).is_ok());
    }

    #[test]
    fn every_bad_file_is_named_with_what_is_wrong() {
        let cases = [
            (
                files("missing.pem", "first.key"),
                "missing.pem: cannot read it",
            ),
            (
                files("first.pem", "missing.key"),
                "missing.key: cannot read it",
            ),
            (
                files("README.md", "first.key"),
                "README.md: no certificate in it",
            ),
            (
                files("first.pem", "first.pem"),
                "first.pem: no private key in it",
            ),
            (files("first.pem", "second.key"), "second.key and"),
        ];
        for (files, expected) in cases {
            let error = format!(
                "{:#}",
                Tls::new(files.clone())
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_default()
            );
            assert!(error.contains(expected), "{files:?}: {error}");
        }
    }
}
