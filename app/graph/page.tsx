// The service graph (home page).
export default function GraphPage() {
  return <p className="p-4">Service graph</p>;
}
