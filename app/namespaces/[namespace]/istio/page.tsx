// Kiali's namespace-scoped Istio Config list: the list, filtered to the namespace.
import { redirect } from 'next/navigation';

export default async function NamespaceIstioPage({ params }: { params: Promise<{ namespace: string }> }) {
  const { namespace } = await params;
  redirect(`/istio?namespace=${encodeURIComponent(namespace)}`);
}
