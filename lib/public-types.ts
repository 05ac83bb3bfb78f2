/** Option types of the public API in their public form (progress events, ISA names): see lib/api.ts. */
import type { Public } from './api';
import type * as ev from './evaluate';
import type * as lm from './lm';
import type * as phi from './phi/run';
import type * as psi from './psi/read';
import type * as sgCounts from './skipgram/counts';
import type * as sgLm from './skipgram/lm';
import type * as sgRun from './skipgram/run';
import type * as sgStats from './skipgram/stats';
import type * as sgWitness from './skipgram/witness';
import type * as tr from './trajectory';

export type EvaluateOptions = Public<ev.EvaluateOptions>;
export type TrajectoryOptions = Public<tr.TrajectoryOptions>;
export type NextByteOptions = Public<lm.NextByteOptions>;
export type SampleOptions = Public<lm.SampleOptions>;
export type ScoreTextOptions = Public<lm.ScoreTextOptions>;
export type ConstructOptions = Public<phi.ConstructOptions>;
export type ReadOptions = Public<psi.ReadOptions>;
export type SkipgramRunOptions = Public<sgRun.SkipgramRunOptions>;
export type StatsOptions = Public<sgStats.StatsOptions>;
export type MiProfileOptions = Public<sgStats.MiProfileOptions>;
export type GreedyStudyOptions = Public<sgStats.GreedyStudyOptions>;
export type HeldOutOptions = Public<sgLm.HeldOutOptions>;
export type GreedyHeldOutOptions = Public<sgLm.GreedyHeldOutOptions>;
export type WitnessOptions = Public<sgWitness.WitnessOptions>;
export type CountSkipgramsOptions = Public<sgCounts.CountSkipgramsOptions>;
export type HeldOutFromCountsOptions = Public<sgCounts.HeldOutFromCountsOptions>;
