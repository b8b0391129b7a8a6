// The auth feature's public face: who this browser is, signing in, joining by code.
export { auth, type Identity } from './identity.js';
export { JoinPage } from './join-page.js';
export { SignInPage } from './sign-in-page.js';
export { useFragmentSignIn } from './fragment-sign-in.js';
