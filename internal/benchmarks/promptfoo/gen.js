// Usage: node gen.js N > tests.csv
// Deterministic support-bot questions (10-40 words), one CSV column "question".
// Every question contains the word "help" (used by the `contains` assertion).
const N = parseInt(process.argv[2], 10);
const products = ['Pro plan', 'mobile app', 'desktop client', 'smart thermostat', 'wireless router',
  'family subscription', 'gift card', 'premium headphones', 'business account', 'photo backup service'];
const issues = ['keeps logging me out', 'shows an error code during checkout', 'will not sync with my laptop',
  'charged me twice this month', 'stopped working after the latest update', 'is much slower than usual',
  'does not show my recent orders', 'cannot find my saved payment method'];
const times = ['since yesterday', 'for about a week', 'since this morning', 'after I changed my password',
  'since I moved to a new apartment', 'ever since I upgraded'];
const templates = [
  (p, i, t, n) => `Hi, my ${p} ${i} ${t}. Can you help me fix this? My order number is ${n}.`,
  (p, i, t, n) => `I need help because the ${p} ${i} ${t}, and restarting it did not change anything. Case ${n}.`,
  (p, i, t, n) => `Could you please help? My ${p} ${i}. This has been happening ${t} and I have a deadline on Friday. Ticket ${n}.`,
  (p, i, t, n) => `Hello support team, the ${p} ${i}. I tried reinstalling and clearing the cache ${t}, but nothing helped. What should I try next? Reference ${n}.`,
  (p, i, t, n) => `Quick question: is there a known outage? The ${p} ${i} ${t}. Any help would be appreciated, account ${n}.`,
];
const q = (s) => '"' + s.replace(/"/g, '""') + '"';
const out = ['question'];
for (let k = 0; k < N; k++) {
  const s = templates[k % 5](products[(k * 7) % 10], issues[(k * 3 + (k >> 3)) % 8], times[(k >> 1) % 6], 100000 + k);
  const w = s.split(/\s+/).length;
  if (w < 10 || w > 40 || !s.includes('help')) throw new Error(`bad row ${k}: ${w} words`);
  out.push(q(s));
}
process.stdout.write(out.join('\n') + '\n');
