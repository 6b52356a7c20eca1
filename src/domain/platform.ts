/** What a running zhuisu instance is within the 追溯 hierarchy (enterprise system → city → province → national). */
export type PlatformLevel = 'enterprise' | 'third-party' | 'city' | 'province' | 'national';
