import type { ChannelStencilConfig } from '@npde/core';
import { describeBackendChannelKernels } from './channel-kernels.test-util.js';

const CASES: ChannelStencilConfig[] = [
  { height: 4, width: 5, channels: 3, points: 9, boundary: 'zero', activation: 'tanh' },
  { height: 3, width: 4, channels: 9, points: 5, boundary: 'periodic', activation: 'softplus' },
  { height: 1, width: 2, channels: 4, points: 9, boundary: 'periodic', activation: 'relu' },
];

// Its own process: copy mode is forced by the first setup() of the process.
describeBackendChannelKernels('copy', 'copy', CASES);
