import bcrypt from 'bcryptjs';
import { passwordHasher } from './password-hasher.js';

describe('passwordHasher', () => {
  it('hashes with scrypt and verifies only the right password', async () => {
    const hash = await passwordHasher.hash('correct horse battery');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(await passwordHasher.verify('correct horse battery', hash)).toEqual({ ok: true, rehash: false });
    expect(await passwordHasher.verify('correct horse batterY', hash)).toEqual({ ok: false, rehash: false });
    expect(await passwordHasher.hash('correct horse battery')).not.toBe(hash); // salted
  });

  it('still verifies an earlier bcrypt hash, and asks for it to be replaced', async () => {
    const legacy = bcrypt.hashSync('old password', 4);
    expect(await passwordHasher.verify('old password', legacy)).toEqual({ ok: true, rehash: true });
    expect((await passwordHasher.verify('wrong', legacy)).ok).toBe(false);
  });

  it('refuses a malformed stored hash', async () => {
    expect(await passwordHasher.verify('x', 'not-a-hash')).toEqual({ ok: false, rehash: false });
  });
});
