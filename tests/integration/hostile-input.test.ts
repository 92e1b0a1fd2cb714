import { hostileSweep } from '../helpers/hostile-sweep';

// The quick sweep: every form and API endpoint with a dozen or more generated nasty inputs each (about 700
// requests in all). `npm run test:stress` runs the same sweep with hundreds of cases per endpoint
// (tests/stress/hostile-sweep.test.ts).
hostileSweep({ cases: 12, segments: 8, seed: 20260213 });
