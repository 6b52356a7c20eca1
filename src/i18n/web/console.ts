import type { Catalogs } from './catalog.js';

const zhCN = {
  'console.welcome': '欢迎使用企业工作台',
};

export const consoleMessages: Catalogs<keyof typeof zhCN> = {
  'zh-CN': zhCN,
  en: {
    'console.welcome': 'Welcome to the enterprise console',
  },
};
