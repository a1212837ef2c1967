// How the Istio Config route handlers answer an outcome: as it is, with the status its kind says.
import { answerJson, statusOfOutcome } from '../http/answer';
import type { IstioOutcome } from './outcome';

export function answerIstio<T>(outcome: IstioOutcome<T>, status = 200): Response {
  return answerJson(outcome, { status: outcome.ok ? status : statusOfOutcome(outcome) });
}
