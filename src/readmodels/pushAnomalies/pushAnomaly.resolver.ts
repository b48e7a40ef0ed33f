// A session's push anomalies, and each one's report as stored.
import { FieldResolver, Resolver, Root } from 'type-graphql';
import { CallbackEvent } from '../callbackLog/callbackEvent.type';
import { loggedCallback } from '../callbackLog/loggedCallback';
import { StreamSession } from '../sessions/session.type';
import type { ReadModelServices } from '../services';
import { PushAnomaly } from './pushAnomaly.type';

@Resolver(() => PushAnomaly)
export class PushAnomalyResolver {
  constructor(private readonly services: ReadModelServices) {}

  @FieldResolver(() => CallbackEvent, { description: 'The report it came in, exactly as received.' })
  event(@Root() anomaly: PushAnomaly): CallbackEvent {
    return loggedCallback(this.services.callbackLog, anomaly.position);
  }
}

@Resolver(() => StreamSession)
export class SessionPushAnomaliesResolver {
  constructor(private readonly services: ReadModelServices) {}

  @FieldResolver(() => [PushAnomaly], { description: 'What CSS reported wrong with this push (event_type 321), oldest first.' })
  pushAnomalies(@Root() session: StreamSession): PushAnomaly[] {
    return this.services.pushAnomalies.ofSession(session.sequence).map(PushAnomaly.fromRow);
  }
}
