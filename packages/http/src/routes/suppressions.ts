/**
 * The suppression list (`/v1/suppressions` in docs/http-api.md): contacts no message
 * may be sent to. Inbound opt-out keywords add to it; these routes list it and add
 * or lift entries by hand. textport's own: httpSMS has no opt-outs.
 */
import { toWireSuppression } from '@textport/core/wire';
import { z } from 'zod';
import { success } from '../envelope.js';
import { defineRoute } from '../route.js';
import { needed, optional, text } from '../schemas.js';
import { deleteById, listRoute } from './common.js';

const TAG = 'Suppressions';

const suppressionBody = z.object({
  contact: needed(text, 'The number not to send to.'),
  owner: optional(
    text.nullable(),
    'One of your numbers: suppress the contact for it only. Absent or null: for every number of the account.',
  ),
});

export const suppressionRoutes = [
  listRoute({
    path: '/v1/suppressions',
    tag: TAG,
    operationId: 'listSuppressions',
    summary: 'Your suppressed contacts (opt-outs), newest first',
    noun: 'suppression',
    data: 'Suppression',
    paging: { defaultLimit: 20, matches: 'the contact or the owner' },
    list: async (gateway, accountId, page) =>
      (await gateway.suppressions.list(accountId, page)).map(toWireSuppression),
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/suppressions',
    auth: 'user',
    body: suppressionBody,
    docs: {
      tag: TAG,
      operationId: 'createSuppression',
      summary: 'Suppress a contact: later sends to it fail with OPTED_OUT',
      description:
        'Answers 201 when the contact was added, 200 with the existing entry when it was already suppressed for that owner.',
      success: {
        status: 201,
        data: 'Suppression',
        description: 'suppression created successfully',
      },
      otherResponses: [
        { status: 200, data: 'Suppression', description: 'the contact is already suppressed' },
      ],
    },
    async handle({ gateway, principal, body }) {
      const { suppression, created } = await gateway.suppressions.add(principal.accountId, {
        contact: body.contact ?? '',
        owner: body.owner ?? null,
      });
      return created
        ? success(201, 'suppression created successfully', toWireSuppression(suppression))
        : success(200, 'the contact is already suppressed', toWireSuppression(suppression));
    },
  }),
  deleteById({
    path: '/v1/suppressions/{suppressionID}',
    tag: TAG,
    operationId: 'deleteSuppression',
    summary: 'Lift a suppression: the contact may be sent to again',
    param: 'suppressionID',
    remove: (gateway, accountId, id) => gateway.suppressions.remove(accountId, id),
  }),
];
