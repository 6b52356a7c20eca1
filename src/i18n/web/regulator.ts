import type { Catalogs } from './catalog.js';

const zhCN = {
  'regulator.welcome': '欢迎使用监管驾驶舱',
};

export const regulatorMessages: Catalogs<keyof typeof zhCN> = {
  'zh-CN': zhCN,
  en: {
    'regulator.welcome': 'Welcome to the regulator dashboard',
  },
};
