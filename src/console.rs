//! What the components hold: one Copy handle on the driver (reads), the tabs (intents go to
//! the leading tab), the marks (what to subscribe to) and the notices. Started once by the App.

use leptos::prelude::*;
use vigil_core::engine::Started;
use vigil_core::{Command, ConnectionConfig, Pace, Refusal, View};

use crate::config::AppConfig;
use crate::driver::Driver;
use crate::marks::Marks;
use crate::notices::Notices;
use crate::storage;
use crate::tabs::{self, Tabs};
use crate::transport::Transport;

#[derive(Clone, Copy)]
pub struct Console {
    pub driver: Driver,
    pub tabs: Tabs,
    pub marks: Marks,
    pub notices: Notices,
    /// The browser says it is online.
    pub online: RwSignal<bool>,
    /// Kept activity was imported (once, after the first connections were set).
    resumed: StoredValue<bool>,
}

impl Console {
    /// Everything the page needs to run, and the pace that follows visibility and network.
    pub fn start(config: &AppConfig) -> Self {
        let marks = Marks::new();
        let notices = Notices::new();
        let transport = Transport::new(&config.demo);
        let driver = Driver::new(transport, format!("{:x}", crate::now_ms()), marks, notices);
        let console = Console {
            driver,
            tabs: Tabs::new(driver),
            marks,
            notices,
            online: RwSignal::new(web_sys::window().is_none_or(|w| w.navigator().on_line())),
            resumed: StoredValue::new(false),
        };
        console.follow_the_page();
        console
    }

    /// A hidden tab polls slowly and a shown one looks at once; offline, nothing is sent.
    fn follow_the_page(self) {
        let visibility = leptos_use::use_document_visibility();
        let online = self.online;
        let window = leptos_use::use_window();
        let _ = leptos_use::use_event_listener(window.clone(), leptos::ev::online, move |_| {
            online.set(true)
        });
        let _ =
            leptos_use::use_event_listener(window, leptos::ev::offline, move |_| online.set(false));
        Effect::new(move |_| {
            let pace = if !online.get() {
                Pace::Offline
            } else if visibility.get() == web_sys::VisibilityState::Hidden {
                Pace::Background
            } else {
                Pace::Foreground
            };
            self.tabs.set_pace(pace);
        });
    }

    /// Reads the engine (subscribe to the marks of what is read).
    pub fn view<T: Default>(self, f: impl FnOnce(&View<'_>) -> T) -> T {
        self.driver.view(f)
    }

    /// A user's intent; `Err` says why it cannot start.
    pub fn intend(self, cmd: Command) -> Result<Started, Refusal> {
        self.tabs.intend(cmd)
    }

    /// An intent whose refusal, if any, is only announced (a button with no form around it).
    pub fn act(self, cmd: Command) {
        if let Err(why) = self.intend(cmd) {
            self.notices.announce(why.to_string());
        }
    }

    /// Replaces the connections (settings saved): the tab joins the group of tabs showing the
    /// same connections first — following until elected, so that nothing goes out for them from
    /// a tab another one already polls for — then the first time, kept activity resumes.
    pub fn set_connections(self, list: Vec<ConnectionConfig>) {
        let group = tabs::group_of(list.iter().map(|c| c.id.as_str()));
        self.tabs.join(group);
        let _ = self.driver.command(Command::SetConnections(list));
        let first = self
            .resumed
            .try_update_value(|r| !std::mem::replace(r, true))
            .unwrap_or(false);
        if first {
            if let Some(learned) = storage::load_learning() {
                let _ = self.driver.command(Command::ImportLearning(learned));
            }
            let (saved, notes) = storage::load_saved();
            for note in notes {
                self.notices.say(note.tone(), note.to_string());
            }
            let _ = self.driver.command(Command::Import(saved));
        }
    }
}
