//! The page itself: its title, which shows in the tab strip, its elements
//! by id (where a page leaves room for an app), and what the
//! browser does to it (freezing it, discarding it).

/// Sets the page's title.
pub fn set_title(title: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(title);
    }
}

/// Whether the browser discarded this tab to save memory and has just
/// loaded it again (`document.wasDiscarded`, Chrome's Page Lifecycle).
pub fn was_discarded() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| js_sys::Reflect::get(&d, &"wasDiscarded".into()).ok())
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// Hears the browser freeze the page and resume it (Page Lifecycle's
/// `freeze` and `resume`), for as long as it is kept.
#[derive(Debug)]
pub struct FreezeListener {
    document: web_sys::Document,
    on_freeze: wasm_bindgen::closure::Closure<dyn FnMut()>,
    on_resume: wasm_bindgen::closure::Closure<dyn FnMut()>,
}

impl FreezeListener {
    /// Calls `resumed(frozen_at_ms, resumed_at_ms)` on each resume, by the
    /// wall clock.
    pub fn new(resumed: impl Fn(f64, f64) + 'static) -> Option<FreezeListener> {
        use std::cell::Cell;
        use std::rc::Rc;
        use wasm_bindgen::JsCast;
        use wasm_bindgen::closure::Closure;
        let document = web_sys::window()?.document()?;
        let frozen_at = Rc::new(Cell::new(None::<f64>));
        let on_freeze = {
            let frozen_at = frozen_at.clone();
            Closure::<dyn FnMut()>::new(move || frozen_at.set(Some(js_sys::Date::now())))
        };
        let on_resume = Closure::<dyn FnMut()>::new(move || {
            if let Some(at) = frozen_at.take() {
                resumed(at, js_sys::Date::now());
            }
        });
        document
            .add_event_listener_with_callback("freeze", on_freeze.as_ref().unchecked_ref())
            .ok()?;
        document
            .add_event_listener_with_callback("resume", on_resume.as_ref().unchecked_ref())
            .ok()?;
        Some(FreezeListener {
            document,
            on_freeze,
            on_resume,
        })
    }
}

impl Drop for FreezeListener {
    fn drop(&mut self) {
        use wasm_bindgen::JsCast;
        let _ = self
            .document
            .remove_event_listener_with_callback("freeze", self.on_freeze.as_ref().unchecked_ref());
        let _ = self
            .document
            .remove_event_listener_with_callback("resume", self.on_resume.as_ref().unchecked_ref());
    }
}

/// The page's element with this id, if it has one: where a page's HTML
/// leaves room for an app or a part of one.
pub fn element_by_id(id: &str) -> Option<web_sys::Element> {
    web_sys::window()?.document()?.get_element_by_id(id)
}
