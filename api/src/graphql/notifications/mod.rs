//! Notifications (`parcours_domain::notifications`) as the schema shows them: the
//! `Notification` object, the caller's inbox (`notifications`, `unreadNotificationCount`),
//! the mutations that mark notifications read, and the live `notificationAdded` subscription.

mod mutations;
mod notification;
mod queries;
mod subscription;

pub use mutations::NotificationMutation;
pub use notification::NotificationObj;
pub use queries::NotificationQuery;
pub use subscription::{Session, SubscriptionRoot};
