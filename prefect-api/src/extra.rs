//! Hand-written operations, for requests the generated types cannot express.
//!
//! Prefect's PATCH endpoints apply exactly the fields they are sent. The generated update
//! types cannot say that: `DeploymentUpdate` always sends `paused` and `WorkQueueUpdate` always
//! sends `is_paused` (their schemas default them to `false`, so changing a description would
//! resume a paused deployment or queue), and none can send a `null` limit or an empty tag list
//! (which clear them). An automation's definition is Prefect's own JSON, passed through: the
//! generated trigger and action unions would refuse or reshape definitions Prefect accepts.
//! These calls send a JSON object as given, through the same hooks (retries, size limit,
//! tracing) and error mapping as the generated ones.

use progenitor_client::{
    encode_path, ClientHooks, ClientInfo, Error, OperationInfo, ResponseValue,
};
use reqwest::Method;
use serde_json::{Map, Value};

use crate::generated::Client;

impl Client {
    /// `PATCH /deployments/{id}` with exactly `fields` (Prefect answers 204).
    pub async fn patch_deployment_fields(
        &self,
        id: &uuid::Uuid,
        fields: &Map<String, Value>,
    ) -> Result<ResponseValue<()>, Error<()>> {
        let path = format!("/deployments/{}", encode_path(&id.to_string()));
        self.patch_fields(&path, "update_deployment", fields).await
    }

    /// `PATCH /work_pools/{name}` with exactly `fields` (Prefect answers 204).
    pub async fn patch_work_pool_fields(
        &self,
        name: &str,
        fields: &Map<String, Value>,
    ) -> Result<ResponseValue<()>, Error<()>> {
        let path = format!("/work_pools/{}", encode_path(name));
        self.patch_fields(&path, "update_work_pool", fields).await
    }

    /// `PATCH /work_pools/{pool}/queues/{name}` with exactly `fields` (Prefect answers 204).
    /// Through this path Prefect keeps the pool's priorities unique, renumbering its other
    /// queues when one takes a priority already held.
    pub async fn patch_work_queue_fields(
        &self,
        pool: &str,
        name: &str,
        fields: &Map<String, Value>,
    ) -> Result<ResponseValue<()>, Error<()>> {
        let path = format!(
            "/work_pools/{}/queues/{}",
            encode_path(pool),
            encode_path(name)
        );
        self.patch_fields(&path, "update_work_queue_in_work_pools", fields)
            .await
    }

    /// `POST /automations/` with the definition as given; Prefect answers the automation.
    pub async fn create_automation_json(
        &self,
        definition: &Map<String, Value>,
    ) -> Result<ResponseValue<Map<String, Value>>, Error<()>> {
        let response = self
            .send_json(
                Method::POST,
                "/automations/",
                "create_automation",
                definition,
            )
            .await?;
        ResponseValue::from_response(response).await
    }

    /// `PUT /automations/{id}` with a whole definition (Prefect answers 204).
    pub async fn replace_automation_json(
        &self,
        id: &uuid::Uuid,
        definition: &Map<String, Value>,
    ) -> Result<ResponseValue<()>, Error<()>> {
        let path = format!("/automations/{}", encode_path(&id.to_string()));
        let response = self
            .send_json(Method::PUT, &path, "update_automation", definition)
            .await?;
        Ok(ResponseValue::empty(response))
    }

    async fn patch_fields(
        &self,
        path: &str,
        operation_id: &'static str,
        fields: &Map<String, Value>,
    ) -> Result<ResponseValue<()>, Error<()>> {
        let response = self
            .send_json(Method::PATCH, path, operation_id, fields)
            .await?;
        Ok(ResponseValue::empty(response))
    }

    /// A JSON body to `path`, answered with a 2xx response (anything else is an error).
    async fn send_json(
        &self,
        method: Method,
        path: &str,
        operation_id: &'static str,
        body: &Map<String, Value>,
    ) -> Result<reqwest::Response, Error<()>> {
        let url = format!("{}{path}", self.baseurl());
        let mut request = self.client().request(method, url).json(body).build()?;
        let info = OperationInfo { operation_id };
        self.pre(&mut request, &info).await?;
        let result = self.exec(request, &info).await;
        self.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200..=299 => Ok(response),
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
}
