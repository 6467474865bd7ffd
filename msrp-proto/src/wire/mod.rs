//! The wire codec: chunk parsing and serializing, RFC 4975 sections 7 and 9.

mod continuation;
mod digest;
mod error;
mod fast_head;
mod gather;
mod head;
mod header_line;
mod head_reader;
mod ids;
mod parser;
mod quirk;
mod rejected;
mod semantic;
mod serializer;
mod start_line;
mod tid;
mod validate;
mod validation;
mod values;

pub use digest::{DigestIter, DigestParams};
pub use error::{ParseError, ParseErrorKind};
pub use gather::{ChunkReader, GatheredChunk};
pub use head::{ChunkHead, Header};
pub use head_reader::{HeadRead, HeadReader};
pub use ids::{GENERATED_ID_LEN, RandomSource, random_id};
pub use continuation::Continuation;
pub use parser::{ChunkParser, EndLine, ParseEvent};
pub use quirk::Quirk;
pub use rejected::RejectedHead;
pub use semantic::{MAX_NON_SEND_BODY, MAX_UNINTERRUPTIBLE_BODY, Violation, violations};
pub(crate) use serializer::status_value;
pub use serializer::{Chunk, EncodeError, StartSpec};
pub use start_line::Method;
pub use tid::{MAX_TID_CAPACITY, TransactionId};
pub use validation::Validation;
pub use values::{ByteRange, MediaType, ReportRequest, Status};
