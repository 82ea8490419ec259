//! `linktriage health [URL]`: asks a running server for `/healthz` and
//! exits 0 only on `200 OK`, for a container's health check where no curl
//! exists. Over `https://` the certificate is not checked: this is the
//! server asking after itself on its own machine, and sends nothing secret.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use rustls::DigitallySignedStruct;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Where the container's own server answers by default.
pub const DEFAULT_URL: &str = "http://127.0.0.1:8080/healthz";

/// How long the whole check may take.
const TIME_LIMIT: Duration = Duration::from_secs(3);

/// Asks `url` (`http://` or `https://`, a host and port, a path) and says
/// what was wrong if it did not answer 200.
pub fn check(url: &str) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting an event loop")?;
    let answer = runtime.block_on(ask(url, "/healthz", &[]))?;
    let status = answer.lines().next().unwrap_or("");
    if status.split(' ').nth(1) != Some("200") {
        bail!("{url}: answered {status:?}");
    }
    Ok(())
}

/// The answer of `url` to a GET with `headers` (name, value), as it came
/// (its head and the first 64 KB), within [`TIME_LIMIT`]; `default_path`
/// when the address names none. Any certificate is taken (the module's
/// note).
pub async fn ask(
    url: &str,
    default_path: &str,
    headers: &[(&str, &str)],
) -> anyhow::Result<String> {
    let (tls, rest) = match url.split_once("://") {
        Some(("http", rest)) => (false, rest),
        Some(("https", rest)) => (true, rest),
        _ => bail!("{url:?}: give an http:// or https:// address"),
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { default_path } else { path };
    let host = authority
        .rsplit_once(':')
        .filter(|(_, port)| !port.contains(']'))
        .map_or(authority, |(host, _)| host)
        .trim_matches(['[', ']']);
    let address = if authority.contains(':') && !authority.ends_with(']') {
        authority.to_owned()
    } else {
        format!("{authority}:{}", if tls { 443 } else { 80 })
    };
    let extra: String = headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect();
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\n{extra}Connection: close\r\n\r\n");
    tokio::time::timeout(TIME_LIMIT, async {
        let tcp = tokio::net::TcpStream::connect(&address)
            .await
            .with_context(|| format!("{address}: no answer"))?;
        if tls {
            let name = ServerName::try_from(host.to_owned())
                .with_context(|| format!("{host:?} is not a host name"))?;
            let stream = connector(&[])?
                .connect(name, tcp)
                .await
                .context("the TLS handshake failed")?;
            exchange(stream, &request).await
        } else {
            exchange(tcp, &request).await
        }
    })
    .await
    .with_context(|| format!("{url}: no answer within {} s", TIME_LIMIT.as_secs()))?
}

async fn exchange(
    mut stream: impl AsyncRead + AsyncWrite + Unpin,
    request: &str,
) -> anyhow::Result<String> {
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.take(64 * 1024).read_to_end(&mut answer).await?;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

/// A TLS client that takes any certificate, offering `alpn`: for a server
/// checking itself, and for tests of a server whose certificate nothing
/// trusts.
pub fn connector(alpn: &[&[u8]]) -> anyhow::Result<tokio_rustls::TlsConnector> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

/// Takes the server's certificate as it is (see the module's note), but
/// still checks the handshake's signatures.
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
