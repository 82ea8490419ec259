// Debian's Firefox ESR, driven over WebDriver BiDi (which Firefox speaks
// itself, so no geckodriver) by puppeteer-core: the second browser the
// journeys that matter run in. Kept on this computer by its profile: no
// updates, telemetry or safe browsing, no DNS over HTTPS, and every name but
// loopback sent to a proxy that is not there.
import puppeteer from 'puppeteer-core';
import { freePort } from './faults.mjs';

export const FIREFOX = process.env.LINKTRIAGE_FIREFOX ?? '/usr/bin/firefox-esr';

/**
 * Launches headless Firefox. With `loopbackWebRtc`, it may pair WebRTC
 * candidates on loopback, as a test server needs (a real user's Firefox
 * gathers candidates only on its default route's interface unless the page
 * may use a microphone, so it forms no pair with a server on its own
 * computer).
 */
export async function launchFirefox({ loopbackWebRtc = false } = {}) {
  const nowhere = await freePort();
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    protocol: 'webDriverBiDi',
    extraPrefsFirefox: {
      'app.update.enabled': false,
      'browser.safebrowsing.malware.enabled': false,
      'browser.safebrowsing.phishing.enabled': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'toolkit.telemetry.enabled': false,
      'network.captive-portal-service.enabled': false,
      'network.connectivity-service.enabled': false,
      'services.settings.server': 'http://127.0.0.1:1/',
      'network.trr.mode': 5,
      'network.proxy.type': 1,
      'network.proxy.http': '127.0.0.1',
      'network.proxy.http_port': nowhere,
      'network.proxy.ssl': '127.0.0.1',
      'network.proxy.ssl_port': nowhere,
      'network.proxy.no_proxies_on': 'localhost, 127.0.0.0/8, ::1',
      'network.proxy.failover_direct': false,
      'network.proxy.allow_hijacking_localhost': false,
      ...(loopbackWebRtc
        ? {
            'media.peerconnection.ice.loopback': true,
            'media.peerconnection.ice.obfuscate_host_addresses': false,
            'permissions.default.microphone': 1,
          }
        : {}),
    },
  });
}
