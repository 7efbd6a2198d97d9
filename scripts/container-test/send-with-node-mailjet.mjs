// Sends one message through mjsim with the official node-mailjet SDK, as an application would: only the
// protocol and the host differ from production. Prints the recipient's MessageID.
//   node send-with-node-mailjet.mjs <port> <public:secret> <recipient>
import Mailjet from 'node-mailjet';

const [port, key, recipient] = process.argv.slice(2);
const [publicKey, secretKey] = key.split(':');
Mailjet.Request.protocol = 'http://';
const mailjet = Mailjet.apiConnect(publicKey, secretKey, { config: { host: `127.0.0.1:${port}` } });
const { body } = await mailjet.post('send', { version: 'v3.1' }).request({
  Messages: [{ From: { Email: 'shop@example.com' }, To: [{ Email: recipient }], Subject: 'Your order', TextPart: 'Thanks.' }],
});
const [message] = body.Messages;
if (message.Status !== 'success') throw new Error(`send failed: ${JSON.stringify(body)}`);
console.log(message.To[0].MessageID);
