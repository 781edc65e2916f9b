/**
 * The handler service: consumes a collective's check events (durable
 * JetStream consumer), verifies each, and notifies by email, webhook or
 * exec exactly once per state change, with reminders, flap suppression and
 * maintenance silence. `cohort handlers run` wires it.
 */
export {
  loadHandlersConfig,
  handlersConfigFromValues,
  loadHandlersTrust,
  notifiableStates,
  problemStates,
  type HandlersConfig,
  type HandlerSpec,
  type HandlerType,
  type EmailHandlerSpec,
  type WebhookHandlerSpec,
  type ExecHandlerSpec,
  type FlapSettings,
  type NotifiableState,
  type OnInterrupted,
} from './config.js';
export { notificationPayload, notificationTag, summary, templateVariables, templateRoots, type Notification, type NotificationKind, type NotificationPayload } from './notification.js';
export { decide, tick, route, wants, inMaintenance, eventKey, delivered, type TrackedCheck, type Decision } from './tracker.js';
export { deliver, type DeliveryOutcome, type DeliveryDeps } from './delivery.js';
export { memoryStores, type DeliveryRecord, type DeliveryStatus, type DeliveryStore, type TrackStore } from './store.js';
export { verifyCheckEvent, checkEventProblem } from './verify.js';
export { createHandler, emailHandler, webhookHandler, execHandler, composeMail, type Handler } from './handlers/index.js';
export { HandlerService, type HandlerServiceDeps, type HandlerCounts } from './service.js';
export { connectHandlersBus, deliveryKey, type HandlersBus, type HandlersBusOptions, type EventMessage, type EventSource } from './bus.js';
export { quietLog, type HandlersLog } from './log.js';
