//! Raw deflate by the browser's own `CompressionStream`, which costs the app
//! no compressor code of its own.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(inline_js = r#"
export function deflateRaw(bytes) {
  if (typeof CompressionStream !== 'function') return Promise.reject(new Error('no CompressionStream'));
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Response(stream).arrayBuffer().then((b) => new Uint8Array(b));
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = deflateRaw)]
    fn deflate_raw_promise(bytes: &[u8]) -> js_sys::Promise;
}

/// `bytes` raw-deflated, or `None` where the browser cannot.
pub async fn deflate_raw(bytes: &[u8]) -> Option<Vec<u8>> {
    let compressed = JsFuture::from(deflate_raw_promise(bytes)).await.ok()?;
    Some(js_sys::Uint8Array::new(&compressed).to_vec())
}
