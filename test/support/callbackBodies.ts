// Callback bodies as CSS sends them, for tests that post their own.

/** A relay (event_type 314) callback with the fields every relay callback carries. */
export const relayCallback = (callbackEvent: string, extra: Record<string, unknown>) => ({
  appid: 4,
  event_type: 314,
  interface: 'general_callback',
  product_name: 'pullpush',
  callback_event: callbackEvent,
  ...extra,
});
