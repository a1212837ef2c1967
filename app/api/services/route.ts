// GET /api/services: the mesh's services with their versions and configured split.

import { listServices } from '@/lib/canary/read-state';
import { answerLoaded } from '@/lib/http/answer';

export const dynamic = 'force-dynamic';

export async function GET() {
  return answerLoaded(await listServices());
}
