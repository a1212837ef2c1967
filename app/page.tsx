// The graph is the home page.
import { redirect } from 'next/navigation';

export default function Home(): never {
  redirect('/graph');
}
