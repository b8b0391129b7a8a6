// The sessions feature's public face: the start page (your sessions, and making one).
export { HomePage } from './home-page.js';
