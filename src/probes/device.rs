//! What the browser says about itself and its device.

use linktriage_core::device::{ConnectionInfo, DeviceFacts};
use wasm_bindgen::JsValue;

pub fn facts() -> DeviceFacts {
    let Some(window) = web_sys::window() else {
        return DeviceFacts::default();
    };
    let navigator = window.navigator();
    let time_zone =
        js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
            .resolved_options();
    DeviceFacts {
        user_agent: navigator.user_agent().unwrap_or_default(),
        online: navigator.on_line(),
        connection: connection(&navigator),
        time_zone: property(&time_zone, "timeZone")
            .as_string()
            .unwrap_or_default(),
        language: navigator.language().unwrap_or_default(),
        cores: Some(navigator.hardware_concurrency() as u32).filter(|&c| c > 0),
        precise_timers: property(&window, "crossOriginIsolated")
            .as_bool()
            .unwrap_or(false),
    }
}

/// The Network Information API is not in every browser, nor in web-sys's
/// stable API: read it by name.
fn connection(navigator: &web_sys::Navigator) -> Option<ConnectionInfo> {
    let connection = property(navigator, "connection");
    if connection.is_undefined() || connection.is_null() {
        return None;
    }
    Some(ConnectionInfo {
        effective_type: property(&connection, "effectiveType").as_string(),
        downlink_mbps: property(&connection, "downlink").as_f64(),
        rtt_ms: property(&connection, "rtt").as_f64(),
    })
}

fn property(target: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(target, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}
