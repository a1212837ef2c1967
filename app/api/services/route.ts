// GET /api/services: the mesh's services with their versions and configured split.
import { listServices } from '@/lib/canary/load';
import { answer } from '@/lib/canary/respond';

export const dynamic = 'force-dynamic';

export async function GET() {
  return answer(await listServices());
}
