import { Body, Controller, Get, HttpCode, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/auth.guard.js';
import {
  CreateSessionInput,
  EventsQuery,
  ListSessionsQuery,
  MessagesQuery,
  TranscriptQuery,
} from './dto/session.inputs.js';
import type { SessionAccess } from './session.mappers.js';
import { Access, RequireSessionPermission, SessionPermissionGuard } from './session-permission.guard.js';
import { SessionsService } from './sessions.service.js';

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('sessions')
@UseGuards(SessionPermissionGuard)
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a session; the creator becomes its moderator' })
  async create(@CurrentUser() user: AuthUser, @Body() input: CreateSessionInput) {
    return { session: await this.sessions.create(user, input) };
  }

  @Get()
  @ApiOperation({ summary: 'Sessions you are a member of (all of them for a platform admin), newest first' })
  list(@CurrentUser() user: AuthUser, @Query() query: ListSessionsQuery) {
    return this.sessions.list(user, query);
  }

  @Get(':id')
  @RequireSessionPermission('read')
  get(@Access() access: SessionAccess) {
    return { session: this.sessions.view(access.session, access), you: { role: access.role } };
  }

  @Get(':id/members')
  @RequireSessionPermission('read')
  async members(@Access() access: SessionAccess) {
    return this.sessions.members(access.session.id, access.role);
  }

  @Get(':id/messages')
  @RequireSessionPermission('read')
  @ApiOperation({ summary: 'History, newest first; page back with before_seq' })
  messages(@Access() access: SessionAccess, @Query() query: MessagesQuery) {
    return this.sessions.history(access, query.before_seq, query.limit ?? 50);
  }

  @Get(':id/events')
  @RequireSessionPermission('read')
  @ApiOperation({ summary: 'The durable event log in seq order, after after_seq' })
  events(@Access() access: SessionAccess, @Query() query: EventsQuery) {
    return this.sessions.events(access, query.after_seq ?? 0, query.limit ?? 100);
  }

  @Get(':id/transcript')
  @RequireSessionPermission('read')
  async transcript(
    @Access() access: SessionAccess,
    @Query() query: TranscriptQuery,
    @Res({ passthrough: true }) res: Response,
  ) {
    const options = { includeNotes: query.include_notes === true };
    if (query.format === 'markdown') {
      res.type('text/markdown; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="transcript-${access.session.id}.md"`);
      return this.sessions.transcriptMarkdown(access, options);
    }
    return this.sessions.transcript(access, options);
  }
}
